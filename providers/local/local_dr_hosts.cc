// DR hosts (CT-CDR's 容灾云主机) for drills and failovers: a record plus a real cdr-dr-disk process on 127.0.0.1
// that serves the host's disks over NBD, materialized from its shadow host's history at the chosen recovery point
// (base image + CDP log up to the point, nothing copied; docs/recovery-points.md). The DR host's own writes go
// to its state directory, so a restart keeps them and keeps the point. Detach (failover confirm) turns the disks
// into standalone images, after which the DR host no longer needs the shadow host.
#include <spdlog/spdlog.h>

#include "common/json_file.h"
#include "providers/local/internal/cloud_config.h"
#include "providers/local/internal/daemon.h"
#include "providers/local/internal/dr_host_record.h"
#include "providers/local/internal/host_certificates.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/binary_locator.h"
#include "providers/local/internal/record_lookup.h"
#include "providers/local/internal/records.h"
#include "providers/local/internal/run_tool.h"
#include "providers/local/internal/secret_file.h"
#include "providers/local/local_provider.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;

constexpr char kDrDiskProgram[] = "cdr-dr-disk";
constexpr char kAgentProgram[] = "cdr-agent";

fs::path ReadyFileOf(const fs::path& root, const DrHost& host) {
  return internal::DrHostReadyFile(root, host.zone, host.id);
}
fs::path StateDirOf(const fs::path& root, const DrHost& host) {
  return internal::DrHostDir(root, host.zone, host.id) / "state";
}
fs::path ImagesDirOf(const fs::path& root, const DrHost& host) {
  return internal::DrHostImagesDir(root, host.zone, host.id);
}

DrHost Observed(const fs::path& root, const internal::DrHostRecord& record) {
  DrHost host = record.host;
  // A DR host fronted by a reverse agent (failback) serves its disks through that agent alone.
  if (auto agent = internal::ReadAgent(internal::AgentFile(root, host.id)); agent.ok()) {
    const bool running = internal::IsDaemonRunning(agent->pid, kAgentProgram, internal::AgentReadyFile(root, host.id));
    host.status = running ? "running" : "stopped";
    host.nbd_address = running ? agent->agent.nbd_address : "";
    host.nbd_tls_dir = agent->agent.nbd_tls_dir;
    return host;
  }
  if (internal::IsDaemonRunning(record.pid, kDrDiskProgram, ReadyFileOf(root, host))) {
    host.status = "running";
  } else {
    host.status = "stopped";
    host.nbd_address.clear();
    host.metrics_address.clear();
  }
  return host;
}

Status CheckRequest(const std::vector<std::string>& zones, const DrHostRequest& request) {
  std::string problems;
  auto note = [&problems](const std::string& s) { problems += (problems.empty() ? "" : "; ") + s; };
  if (request.name.empty()) note("name is empty");
  if (request.purpose != "drill" && request.purpose != "failover") {
    note("purpose \"" + request.purpose + "\" is not drill or failover");
  }
  if (Status z = internal::CheckZone(zones, "zone", request.zone); !z.ok()) note(z.message());
  if (!internal::IsSafeId(request.shadow_host_id)) note("shadow_host_id \"" + request.shadow_host_id + "\" is not an id");
  if (!internal::IsSafeId(request.server_id)) note("server_id \"" + request.server_id + "\" is not a host id");
  if (!problems.empty()) return InvalidArgument(problems);
  return Status::Ok();
}

void RemoveQuietly(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

}  // namespace

Result<DrHost> LocalProvider::EnsureDrHostRunning(internal::DrHostRecord record) {
  DrHost& host = record.host;
  if (auto agent = internal::ReadAgent(internal::AgentFile(root_, host.id)); agent.ok()) {
    auto facts = AgentHost(host.id, "start");
    if (!facts.ok()) return facts.status();
    CDR_RETURN_IF_ERROR(EnsureAgentRunning(*facts, std::move(*agent)).status());
    return Observed(root_, record);
  }
  const fs::path ready_file = ReadyFileOf(root_, host);
  if (internal::IsDaemonRunning(record.pid, kDrDiskProgram, ready_file)) return Observed(root_, record);
  const fs::path dir = internal::DrHostDir(root_, host.zone, host.id);
  std::error_code ec;
  fs::create_directories(StateDirOf(root_, host), ec);
  if (ec) return Internal(dir.string() + ": " + ec.message());

  internal::DaemonSpec spec;
  spec.program = kDrDiskProgram;
  if (host.standalone) {
    spec.args = {"serve", "--image-dir", ImagesDirOf(root_, host).string()};
  } else {
    // The state dir remembers the point of the first start: a restart shows the same point and keeps the writes.
    spec.args = {"serve",       "--replica-dir", record.replica_dir, "--server", host.server_id,
                 "--at",        host.recovery_point, "--state-dir", StateDirOf(root_, host).string(),
                 "--pin",       host.id};
  }
  spec.args.insert(spec.args.end(), {"--listen", "127.0.0.1:0", "--ready-file", ready_file.string()});
  auto transport = internal::DrDiskTransportArgs(root_, host.id, internal::DrHostTlsDir(root_, host.zone, host.id),
                                                 insecure_);
  if (!transport.ok()) return transport.status();
  spec.args.insert(spec.args.end(), transport->begin(), transport->end());
  const fs::path token_file = internal::MetricsTokenFile(dir);
  CDR_RETURN_IF_ERROR(internal::LoadOrCreateSecretFile(token_file).status());
  spec.args.insert(spec.args.end(),
                   {"--metrics-listen", "127.0.0.1:0", "--metrics-token-file", token_file.string(), "--group",
                    host.group, "--server-name", host.server_name, "--dr-host", host.id, "--purpose", host.purpose,
                    "--verification-file", internal::VerificationFile(dir).string()});
  spec.ready_file = ready_file;
  spec.log_file = dir / "dr-disk.log";
  // Materializing reads every record header of the window: generous, it is what RTO is measured on.
  spec.ready_timeout = std::chrono::seconds(60);
  auto started = internal::StartDaemon(spec);
  if (!started.ok()) {
    return Status(started.status().code(), "DR host " + host.id + ": " + started.status().message());
  }
  const nlohmann::json& ready = started->ready;
  if (!ready.contains("address") || !ready["address"].is_string()) {
    (void)internal::StopDaemon(started->pid, kDrDiskProgram, ready_file);
    return DataLoss(ready_file.string() + ": \"address\" is missing");
  }
  record.pid = started->pid;
  host.nbd_address = ready["address"].get<std::string>();
  // Absolute: the URI status shows must work from any directory.
  host.nbd_tls_dir = ready.value("tls", false) ? fs::absolute(internal::OperatorTlsDir(root_)).string() : "";
  host.metrics_address = ready.value("metrics_address", "");
  host.disks.clear();
  for (const auto& e : ready.value("exports", nlohmann::json::array())) host.disks.push_back(e.value("disk", ""));
  if (ready.contains("point") && ready["point"].is_object()) {
    const nlohmann::json& point = ready["point"];
    host.point_id = point.value("id", nlohmann::json()).is_string() ? point["id"].get<std::string>() : "";
    host.point_time_ns = point.value("time_ns", int64_t{0});
  }
  CDR_RETURN_IF_ERROR(WriteJsonFileAtomically(internal::DrHostFile(root_, host.id), internal::DrHostToJson(record)));
  spdlog::info("local cloud: DR host {} {} as pid {} on {} ({} ms to index the history)", host.id,
               started->adopted ? "adopted" : "started", record.pid, host.nbd_address,
               ready.value("index_ms", int64_t{-1}));
  host.status = "running";
  return host;
}

Result<DrHost> LocalProvider::CreateDrHost(const DrHostRequest& request) {
  SimulateLatency();
  auto existing = internal::FindByToken<internal::DrHostRecord>(internal::DrHostsDir(root_), request.client_token,
                                                                internal::ReadDrHost);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return EnsureDrHostRunning(std::move(**existing));
  CDR_RETURN_IF_ERROR(CheckRequest(zones_, request));
  auto shadow = internal::ReadShadow(internal::ShadowFile(root_, request.shadow_host_id));
  if (!shadow.ok()) {
    if (shadow.status().code() == StatusCode::kNotFound) {
      return FailedPrecondition("shadow host " + request.shadow_host_id + " does not exist: no recovery points");
    }
    return shadow.status();
  }
  internal::DrHostRecord record;
  DrHost& host = record.host;
  host.id = internal::NewId("dr-", [this](const std::string& id) { return internal::DrHostFile(root_, id); });
  host.name = request.name;
  host.purpose = request.purpose;
  host.zone = request.zone;
  host.server_id = request.server_id;
  host.shadow_host_id = request.shadow_host_id;
  host.flavor = request.flavor;
  host.ip = request.ip;
  host.disk_type = request.disk_type;
  host.group = request.group;
  host.server_name = request.server_name;
  host.eip = request.eip;
  host.recovery_point = request.recovery_point.empty() ? "latest" : request.recovery_point;
  record.client_token = request.client_token;
  record.replica_dir = shadow->shadow.replica_dir;
  std::error_code ec;
  fs::create_directories(internal::DrHostsDir(root_), ec);
  // Recorded before the process starts, so a retry after a crash finds this id by its token.
  CDR_RETURN_IF_ERROR(WriteJsonFileAtomically(internal::DrHostFile(root_, host.id), internal::DrHostToJson(record)));
  const std::string id = host.id;
  const std::string zone = host.zone;
  auto created = EnsureDrHostRunning(std::move(record));
  if (!created.ok()) {
    // Nothing was written to a DR host that never ran: leave nothing behind, a retry makes a fresh one.
    RemoveQuietly(internal::DrHostDir(root_, zone, id));
    RemoveQuietly(internal::DrHostFile(root_, id));
  }
  return created;
}

Result<DrHost> LocalProvider::DescribeDrHost(const std::string& id) {
  if (!internal::IsSafeId(id)) return InvalidArgument("invalid DR host id \"" + id + "\"");
  auto record = internal::ReadDrHost(internal::DrHostFile(root_, id));
  if (!record.ok()) {
    if (record.status().code() == StatusCode::kNotFound) return NotFound("DR host " + id + " does not exist");
    return record.status();
  }
  return Observed(root_, *record);
}

Status LocalProvider::DeleteDrHost(const std::string& id) {
  SimulateLatency();
  if (!internal::IsSafeId(id)) return InvalidArgument("invalid DR host id \"" + id + "\"");
  const fs::path file = internal::DrHostFile(root_, id);
  auto record = internal::ReadDrHost(file);
  if (!record.ok()) {
    if (record.status().code() == StatusCode::kNotFound) return Status::Ok();
    return record.status();
  }
  const DrHost& host = record->host;
  CDR_RETURN_IF_ERROR(internal::CheckZone(zones_, file.string() + ": zone", host.zone));
  auto stopped = internal::StopDaemon(record->pid, kDrDiskProgram, ReadyFileOf(root_, host));
  if (!stopped.ok()) return stopped.status();
  CDR_RETURN_IF_ERROR(UninstallAgent(id));  // a reverse agent in front of its disks goes with them
  // A process killed before it could remove its pin leaves it behind; the shadow must not keep history for it.
  if (!record->replica_dir.empty() && !host.standalone) {
    RemoveQuietly(internal::ShadowServerDir(record->replica_dir, host.server_id) / "pins" / (id + ".json"));
  }
  const fs::path dir = internal::DrHostDir(root_, host.zone, id);
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return Internal(dir.string() + ": " + ec.message());
  if (!fs::remove(file, ec) && ec) return Internal(file.string() + ": " + ec.message());
  spdlog::info("local cloud: deleted DR host {}", id);
  return Status::Ok();
}

Result<DrHost> LocalProvider::DetachDrHost(const std::string& id) {
  SimulateLatency();
  if (!internal::IsSafeId(id)) return InvalidArgument("invalid DR host id \"" + id + "\"");
  const fs::path file = internal::DrHostFile(root_, id);
  auto record = internal::ReadDrHost(file);
  if (!record.ok()) return record.status();
  DrHost& host = record->host;
  if (host.standalone) return EnsureDrHostRunning(std::move(*record));
  auto stopped = internal::StopDaemon(record->pid, kDrDiskProgram, ReadyFileOf(root_, host));
  if (!stopped.ok()) return stopped.status();
  auto program = internal::FindCdrBinary(kDrDiskProgram);
  if (!program.ok()) return program.status();
  // The shadow host is deleted right after a confirm: its base image becomes the DR host's disk instead of being
  // copied, so this costs the data changed since the base, not the disk size.
  CDR_RETURN_IF_ERROR(internal::RunToolChecked(
      *program, {"flatten", "--replica-dir", record->replica_dir, "--server", host.server_id, "--state-dir",
                 StateDirOf(root_, host).string(), "--out-dir", ImagesDirOf(root_, host).string(), "--consume-base"}));
  host.standalone = true;
  record->pid = 0;
  CDR_RETURN_IF_ERROR(WriteJsonFileAtomically(file, internal::DrHostToJson(*record)));
  spdlog::info("local cloud: DR host {} now has standalone disks in {}", id, ImagesDirOf(root_, host).string());
  return EnsureDrHostRunning(std::move(*record));
}

}  // namespace cdr::providers::local
