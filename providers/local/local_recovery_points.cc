// Recovery points on the local cloud's shadow hosts. The policy is a file the shadow's cdr-shadow reads when it
// changes (REPLICA_DIR/<server>/policy.json); the points, the window and their sizes are read from the history by
// `cdr-dr-disk points` (docs/recovery-points.md).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/json_file.h"
#include "common/random_hex.h"
#include "providers/local/internal/binary_locator.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/records.h"
#include "providers/local/internal/run_tool.h"
#include "providers/local/local_provider.h"

namespace cdr::providers::local {

namespace fs = std::filesystem;

Result<fs::path> LocalProvider::ShadowServerDir(const std::string& shadow_host_id, const std::string& server_id) {
  if (!internal::IsSafeId(shadow_host_id)) return InvalidArgument("invalid shadow host id \"" + shadow_host_id + "\"");
  if (!internal::IsSafeId(server_id)) return InvalidArgument("invalid server id \"" + server_id + "\"");
  auto shadow = internal::ReadShadow(internal::ShadowFile(root_, shadow_host_id));
  if (!shadow.ok()) {
    if (shadow.status().code() == StatusCode::kNotFound) {
      return NotFound("shadow host " + shadow_host_id + " does not exist");
    }
    return shadow.status();
  }
  return internal::ShadowServerDir(shadow->shadow.replica_dir, server_id);
}

Status LocalProvider::SetRecoveryPolicy(const RecoveryPolicyRequest& request) {
  SimulateLatency();
  if (request.every_seconds < 1) return InvalidArgument("every_seconds must be at least 1");
  if (request.keep < 1) return InvalidArgument("keep must be at least 1");
  auto dir = ShadowServerDir(request.shadow_host_id, request.server_id);
  if (!dir.ok()) return dir.status();
  std::error_code ec;
  fs::create_directories(*dir, ec);
  if (ec) return Internal(dir->string() + ": " + ec.message());
  return WriteJsonFileAtomically(*dir / "policy.json",
                                 {{"every_seconds", request.every_seconds}, {"keep", request.keep}});
}

Status LocalProvider::RequestRecoveryPoint(const RecoveryPointRequest& request) {
  SimulateLatency();
  if (!internal::IsSafeId(request.id)) return InvalidArgument("invalid recovery point id \"" + request.id + "\"");
  if (request.time_ns <= 0) return InvalidArgument("time_ns must be positive");
  auto dir = ShadowServerDir(request.shadow_host_id, request.server_id);
  if (!dir.ok()) return dir.status();
  std::error_code ec;
  fs::create_directories(*dir / "point-requests", ec);
  if (ec) return Internal(dir->string() + ": " + ec.message());
  return WriteJsonFileAtomically(*dir / "point-requests" / (request.id + ".json"),
                                 {{"time_ns", request.time_ns}, {"id", request.id}});
}

Result<RecoveryPoints> LocalProvider::ListRecoveryPoints(const std::string& shadow_host_id,
                                                         const std::string& server_id) {
  auto dir = ShadowServerDir(shadow_host_id, server_id);
  if (!dir.ok()) return dir.status();
  RecoveryPoints out;
  std::error_code ec;
  if (!fs::exists(*dir, ec)) return out;  // nothing received yet
  auto program = internal::FindCdrBinary("cdr-dr-disk");
  if (!program.ok()) return program.status();
  const fs::path listing = fs::temp_directory_path() / ("cdr-points-" + RandomHex(8) + ".json");
  internal::ToolOptions options;
  options.stdout_path = listing;
  auto ran = internal::RunTool(*program, {"points", "--replica-dir", dir->parent_path().string(), "--server", server_id},
                               options);
  auto text = ReadJsonFile(listing);
  fs::remove(listing, ec);
  if (!ran.ok()) return ran.status();
  if (ran->exit_code != 0) return Internal("cdr-dr-disk points: " + ran->stderr_text);
  if (!text.ok()) return text.status();
  try {
    for (const auto& p : text->value("points", nlohmann::json::array())) {
      RecoveryPoint point;
      point.id = p.at("id").get<std::string>();
      point.time_ns = p.value("time_ns", int64_t{0});
      point.kind = p.value("kind", "scheduled");
      point.bytes = p.value("bytes", uint64_t{0});
      out.points.push_back(std::move(point));
    }
    // The server's window is where every disk can be restored: the latest start and the earliest end.
    bool first = true;
    for (const auto& d : text->value("windows", nlohmann::json::array())) {
      const int64_t start = d.value("start_time_ns", int64_t{0});
      const int64_t end = d.value("end_time_ns", int64_t{0});
      out.window_start_ns = first ? start : std::max(out.window_start_ns, start);
      out.window_end_ns = first ? end : std::min(out.window_end_ns, end);
      out.history_bytes += d.value("history_bytes", uint64_t{0});
      first = false;
    }
  } catch (const nlohmann::json::exception& e) {
    return DataLoss("cdr-dr-disk points printed something unexpected: " + std::string(e.what()));
  }
  for (const auto& entry : fs::directory_iterator(*dir / "point-requests", ec)) {
    auto request = ReadJsonFile(entry.path());
    if (request.ok() && request->contains("error")) {
      out.refused[entry.path().stem().string()] = request->value("error", "");
    }
  }
  return out;
}

}  // namespace cdr::providers::local
