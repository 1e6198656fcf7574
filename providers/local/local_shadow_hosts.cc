// Shadow hosts (CT-CDR's 复影云主机): a record per host plus a real cdr-shadow process on 127.0.0.1 that
// receives the agent's replication stream into the host's replica directory. Like agents, the status is
// whether the recorded process still runs; a stopped shadow host keeps its replicas and is restarted by a
// CreateShadowHost with the same client token.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/json_file.h"
#include "providers/local/internal/cloud_config.h"
#include "providers/local/internal/daemon.h"
#include "providers/local/internal/host_certificates.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/record_lookup.h"
#include "providers/local/internal/records.h"
#include "providers/local/internal/secret_file.h"
#include "providers/local/local_provider.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;

constexpr char kShadowProgram[] = "cdr-shadow";

fs::path ReadyFileOf(const fs::path& root, const ShadowHost& shadow) {
  return internal::ShadowReadyFile(root, shadow.zone, shadow.id);
}

ShadowHost Observed(const fs::path& root, const internal::ShadowRecord& record) {
  ShadowHost shadow = record.shadow;
  if (internal::IsDaemonRunning(record.pid, kShadowProgram, ReadyFileOf(root, shadow))) {
    shadow.status = "running";
  } else {
    shadow.status = "stopped";
    shadow.replication_address.clear();
    shadow.metrics_address.clear();
  }
  return shadow;
}

Status CheckRequest(const std::vector<std::string>& zones, const ShadowHostRequest& request) {
  std::string problems;
  auto note = [&problems](const Status& s) {
    if (!s.ok()) problems += (problems.empty() ? "" : "; ") + s.message();
  };
  if (request.name.empty()) note(InvalidArgument("name is empty"));
  note(internal::CheckZone(zones, "zone", request.zone));
  if (request.vpc.empty()) note(InvalidArgument("vpc is empty"));
  if (!internal::IsSafeId(request.server_id)) {
    note(InvalidArgument("server_id \"" + request.server_id + "\" is not a host id"));
  }
  if (request.disk_type != "sata" && request.disk_type != "sas" && request.disk_type != "ssd") {
    note(InvalidArgument("disk_type \"" + request.disk_type + "\" is not one of sata, sas, ssd"));
  }
  if (!problems.empty()) return InvalidArgument(problems);
  return Status::Ok();
}

void RemoveQuietly(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

}  // namespace

Result<ShadowHost> LocalProvider::EnsureShadowRunning(internal::ShadowRecord record) {
  const ShadowHost& shadow = record.shadow;
  const fs::path ready_file = ReadyFileOf(root_, shadow);
  if (internal::IsDaemonRunning(record.pid, kShadowProgram, ready_file)) return Observed(root_, record);
  const fs::path replica_dir = internal::ShadowReplicaDir(root_, shadow.zone, shadow.id);
  std::error_code ec;
  fs::create_directories(replica_dir, ec);
  if (ec) return Internal(replica_dir.string() + ": " + ec.message());

  const fs::path token_file = internal::MetricsTokenFile(internal::ShadowHostDir(root_, shadow.zone, shadow.id));
  CDR_RETURN_IF_ERROR(internal::LoadOrCreateSecretFile(token_file).status());

  auto transport = internal::ShadowTransportArgs(
      root_, shadow.id, internal::ShadowTlsDir(root_, shadow.zone, shadow.id), insecure_);
  if (!transport.ok()) return transport.status();
  internal::DaemonSpec spec;
  spec.program = kShadowProgram;
  spec.args = {"--listen",         "127.0.0.1:0",
               "--replica-dir",    replica_dir.string(),
               "--ready-file",     ready_file.string(),
               "--pid-file",       internal::ShadowPidFile(root_, shadow.zone, shadow.id).string(),
               "--metrics-listen", "127.0.0.1:0",
               "--metrics-token-file", token_file.string(),
               "--group",          shadow.group,
               "--server-name",    shadow.server_name};
  spec.args.insert(spec.args.end(), transport->begin(), transport->end());
  spec.ready_file = ready_file;
  spec.log_file = internal::ShadowLogFile(root_, shadow.zone, shadow.id);
  auto started = internal::StartDaemon(spec);
  if (!started.ok()) {
    return Status(started.status().code(), "shadow host " + shadow.id + ": " + started.status().message());
  }
  auto address = started->ready.find("address");
  if (address == started->ready.end() || !address->is_string() || address->get<std::string>().empty()) {
    (void)internal::StopDaemon(started->pid, kShadowProgram, ready_file);
    return DataLoss(ready_file.string() + ": \"address\" is missing or not an address");
  }
  record.pid = started->pid;
  record.shadow.replication_address = address->get<std::string>();
  record.shadow.metrics_address = started->ready.value("metrics_address", "");
  CDR_RETURN_IF_ERROR(
      WriteJsonFileAtomically(internal::ShadowFile(root_, shadow.id), internal::ShadowToJson(record)));
  spdlog::info("local cloud: shadow host {} {} as pid {} on {}", shadow.id,
               started->adopted ? "adopted" : "started", record.pid, record.shadow.replication_address);
  record.shadow.status = "running";
  return record.shadow;
}

Result<ShadowHost> LocalProvider::CreateShadowHost(const ShadowHostRequest& request) {
  SimulateLatency();
  CDR_RETURN_IF_ERROR(CheckRequest(zones_, request));
  auto existing = internal::FindByToken<internal::ShadowRecord>(internal::ShadowsDir(root_),
                                                                request.client_token, internal::ReadShadow);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return EnsureShadowRunning(std::move(**existing));

  internal::ShadowRecord record;
  ShadowHost& shadow = record.shadow;
  shadow.id =
      internal::NewId("shadow-", [this](const std::string& id) { return internal::ShadowFile(root_, id); });
  shadow.name = request.name;
  shadow.zone = request.zone;
  shadow.vpc = request.vpc;
  shadow.server_id = request.server_id;
  shadow.disk_type = request.disk_type;
  shadow.group = request.group;
  shadow.server_name = request.server_name;
  shadow.replica_dir = internal::ShadowReplicaDir(root_, request.zone, shadow.id).string();
  record.client_token = request.client_token;
  // Recorded before the process starts, so a retry after a crash finds this id by its token.
  CDR_RETURN_IF_ERROR(
      WriteJsonFileAtomically(internal::ShadowFile(root_, shadow.id), internal::ShadowToJson(record)));
  const std::string id = shadow.id;
  Status seeded = PlaceSeededReplicas(request, shadow.replica_dir);
  auto created = seeded.ok() ? EnsureShadowRunning(std::move(record)) : Result<ShadowHost>(seeded);
  if (!created.ok()) {
    // A host that never ran holds no replicas: leave nothing behind, a retry makes a fresh one.
    RemoveQuietly(internal::ShadowHostDir(root_, request.zone, id));
    RemoveQuietly(internal::ShadowFile(root_, id));
  }
  return created;
}

Result<ShadowHost> LocalProvider::DescribeShadowHost(const std::string& id) {
  if (!internal::IsSafeId(id)) return InvalidArgument("invalid shadow host id \"" + id + "\"");
  auto record = internal::ReadShadow(internal::ShadowFile(root_, id));
  if (!record.ok()) {
    if (record.status().code() == StatusCode::kNotFound)
      return NotFound("shadow host " + id + " does not exist");
    return record.status();
  }
  return Observed(root_, *record);
}

Status LocalProvider::DeleteShadowHost(const std::string& id) {
  SimulateLatency();
  if (!internal::IsSafeId(id)) return InvalidArgument("invalid shadow host id \"" + id + "\"");
  const fs::path file = internal::ShadowFile(root_, id);
  auto record = internal::ReadShadow(file);
  if (!record.ok()) {
    if (record.status().code() == StatusCode::kNotFound) return Status::Ok();
    return record.status();
  }
  const std::string& zone = record->shadow.zone;
  // The zone comes from a file and becomes a path: only a zone of this cloud may name what gets removed.
  CDR_RETURN_IF_ERROR(internal::CheckZone(zones_, file.string() + ": zone", zone));
  auto stopped =
      internal::StopDaemon(record->pid, kShadowProgram, internal::ShadowReadyFile(root_, zone, id));
  if (!stopped.ok()) return stopped.status();
  const fs::path dir = internal::ShadowHostDir(root_, zone, id);
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return Internal(dir.string() + ": " + ec.message());
  // The record goes last, so a delete interrupted before this point is simply run again.
  if (!fs::remove(file, ec) && ec) return Internal(file.string() + ": " + ec.message());
  spdlog::info("local cloud: deleted shadow host {}{}", id,
               *stopped ? " (stopped pid " + std::to_string(*stopped) + ")" : "");
  return Status::Ok();
}

Result<std::vector<ShadowHost>> LocalProvider::ListShadowHosts() {
  std::vector<ShadowHost> shadows;
  std::error_code ec;
  fs::directory_iterator it(internal::ShadowsDir(root_), ec);
  if (ec) return shadows;  // no shadow host was ever created
  for (const auto& entry : it) {
    if (entry.path().extension() != ".json") continue;
    auto record = internal::ReadShadow(entry.path());
    if (record.ok()) {
      shadows.push_back(Observed(root_, *record));
    } else if (record.status().code() != StatusCode::kNotFound) {
      return record.status();
    }
  }
  std::sort(shadows.begin(), shadows.end(),
            [](const ShadowHost& a, const ShadowHost& b) { return a.id < b.id; });
  return shadows;
}

}  // namespace cdr::providers::local
