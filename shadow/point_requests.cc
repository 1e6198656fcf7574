#include "shadow/point_requests.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "journal/segment_files.h"
#include "journal/reader.h"
#include "common/json_file.h"
#include "shadow/history_files.h"

namespace cdr::shadow {
namespace fs = std::filesystem;

std::vector<PointRequest> PendingPointRequests(const fs::path& server_dir) {
  std::vector<PointRequest> pending;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(PointRequestsDir(server_dir), ec)) {
    if (entry.path().extension() != ".json") continue;  // a request being written
    Result<nlohmann::json> j = ReadJsonFile(entry.path());
    PointRequest request{entry.path(), 0, ""};
    if (j.ok() && j->is_object() && j->contains("error")) continue;
    if (!j.ok() || !j->is_object() || !j->value("time_ns", nlohmann::json()).is_number_unsigned() ||
        (j->contains("id") && !(*j)["id"].is_string())) {
      FailPointRequest(request, "time_ns must be a whole number of nanoseconds and id a string");
      continue;
    }
    request.time_ns = (*j)["time_ns"].get<uint64_t>();
    request.id = j->value("id", "");
    pending.push_back(std::move(request));
  }
  return pending;
}

void FailPointRequest(const PointRequest& request, const std::string& error) {
  spdlog::warn("point request {}: {}", request.file.string(), error);
  nlohmann::json j = {{"time_ns", request.time_ns}, {"error", error}};
  if (!request.id.empty()) j["id"] = request.id;
  if (Status s = WriteJsonFileAtomically(request.file, j); !s.ok()) spdlog::error("{}", s.ToString());
}

Result<uint64_t> LoggedSeqAt(const fs::path& cdp_dir, uint64_t after_seq, uint64_t up_to_seq,
                             uint64_t time_ns) {
  uint64_t found = after_seq;
  const std::vector<journal::SegmentFile> segments = journal::ListSegments(cdp_dir);
  for (size_t i = 0; i < segments.size(); ++i) {
    // A segment ends where the next begins; repairs leave gaps, so each is read on its own.
    const uint64_t first = std::max(segments[i].first_seq, after_seq + 1);
    const uint64_t last =
        std::min(i + 1 < segments.size() ? segments[i + 1].first_seq - 1 : up_to_seq, up_to_seq);
    if (first > last) continue;
    Result<std::unique_ptr<journal::JournalReader>> reader = journal::JournalReader::Open(cdp_dir, first, last);
    if (!reader.ok()) return reader.status();
    journal::Record record;
    while (true) {
      Result<bool> got = (*reader)->Next(&record);
      if (!got.ok()) {
        if (got.status().ToString().find("jumps") != std::string::npos) break;  // the gap before the next
        return got.status();
      }
      if (!*got) break;
      if (record.time_ns > time_ns) return found;  // times do not decrease along the seqs
      found = record.seq;
    }
  }
  return found;
}

}  // namespace cdr::shadow
