// The DR agent of a host: a real cdr-agent process serving the host's disks over NBD (every write passes
// through its journal) and a control API guarded by a bearer token. The record keeps the pid; the status is
// decided on every call by looking at that pid, because the process can die behind cdr's back.
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/json_file.h"
#include "providers/local/internal/agent_builds.h"
#include "providers/local/internal/daemon.h"
#include "providers/local/internal/host_certificates.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/records.h"
#include "providers/local/internal/secret_file.h"
#include "providers/local/local_provider.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;

Agent Observed(const fs::path& root, const internal::AgentRecord& record) {
  Agent agent = record.agent;
  if (internal::IsDaemonRunning(record.pid, record.program, internal::AgentReadyFile(root, agent.host_id))) {
    agent.status = "running";
  } else {
    agent.status = "stopped";
    agent.api_address.clear();
    agent.nbd_address.clear();
  }
  return agent;
}

// A restarted agent keeps its token, so a reconciler holding the old one still gets in.
Result<std::string> ReadyAddress(const nlohmann::json& ready, const char* key, const fs::path& ready_file) {
  auto it = ready.find(key);
  if (it == ready.end() || !it->is_string() || it->get<std::string>().empty()) {
    return DataLoss(ready_file.string() + ": \"" + key + "\" is missing or not an address");
  }
  return it->get<std::string>();
}

Result<std::vector<std::string>> AgentArgs(const fs::path& root, const HostFacts& host) {
  const std::string& id = host.id;
  std::vector<std::string> args = {"--listen",         "127.0.0.1:0",
                                   "--api-listen",     "127.0.0.1:0",
                                   "--api-token-file", internal::AgentTokenFile(root, id).string(),
                                   "--state-dir",      internal::AgentStateDir(root, id).string()};
  if (host.disks.empty()) return FailedPrecondition("host " + id + " has no disks to protect");
  for (const auto& disk : host.disks) {
    if (!internal::IsSafeId(disk.id)) return DataLoss("host " + id + ": invalid disk id \"" + disk.id + "\"");
    args.push_back("--export");
    args.push_back(disk.id + "=" + fs::absolute(disk.path).string());
  }
  args.insert(args.end(), {"--ready-file", internal::AgentReadyFile(root, id).string(), "--pid-file",
                           internal::AgentPidFile(root, id).string()});
  return args;
}

Status CreateDirectory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Internal(dir.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

Result<HostFacts> LocalProvider::HostForAgent(const std::string& host_id, const std::string& action) {
  auto host = DescribeHost(host_id);
  if (!host.ok()) {
    if (host.status().code() == StatusCode::kNotFound) {
      return NotFound("cannot " + action + " the agent: host " + host_id + " does not exist");
    }
    return host.status();
  }
  if (host->power_state != "running") {
    return FailedPrecondition("cannot " + action + " the agent: host " + host_id + " is " +
                              host->power_state + "; start it first");
  }
  return host;
}

Result<Agent> LocalProvider::EnsureAgentRunning(const HostFacts& host, internal::AgentRecord record) {
  const std::string& id = host.id;
  if (internal::IsDaemonRunning(record.pid, record.program, internal::AgentReadyFile(root_, id))) {
    return Observed(root_, record);
  }
  CDR_RETURN_IF_ERROR(CreateDirectory(internal::AgentStateDir(root_, id)));
  auto token = internal::LoadOrCreateSecretFile(internal::AgentTokenFile(root_, id));
  if (!token.ok()) return token.status();
  auto args = AgentArgs(root_, host);
  if (!args.ok()) return args.status();
  auto transport = internal::AgentTransportArgs(root_, id, internal::AgentTlsDir(root_, id), insecure_);
  if (!transport.ok()) return transport.status();
  args->insert(args->end(), transport->begin(), transport->end());

  internal::DaemonSpec spec;
  spec.program = record.program;
  spec.args = std::move(*args);
  spec.ready_file = internal::AgentReadyFile(root_, id);
  spec.log_file = internal::AgentLogFile(root_, id);
  auto started = internal::StartDaemon(spec);
  if (!started.ok()) {
    return Status(started.status().code(), "agent of host " + id + ": " + started.status().message());
  }
  auto nbd = ReadyAddress(started->ready, "nbd_address", spec.ready_file);
  auto api = ReadyAddress(started->ready, "api_address", spec.ready_file);
  if (!nbd.ok() || !api.ok()) {
    (void)internal::StopDaemon(started->pid, record.program, spec.ready_file);
    return nbd.ok() ? api.status() : nbd.status();
  }
  record.pid = started->pid;
  record.agent.nbd_address = *nbd;
  record.agent.api_address = *api;
  record.agent.api_token = *token;
  record.agent.api_tls_dir = insecure_ ? "" : internal::OperatorTlsDir(root_).string();
  // As the process says it serves, not as it was asked to: an adopted agent may have been started otherwise.
  record.agent.nbd_tls_dir =
      started->ready.value("nbd_tls", false) ? fs::absolute(internal::OperatorTlsDir(root_)).string() : "";
  // The process runs before it is recorded; a cdr killed in between leaves a ready file naming it, and the
  // next install adopts that process instead of starting a second one on the same state.
  CDR_RETURN_IF_ERROR(WriteJsonFileAtomically(internal::AgentFile(root_, id), internal::AgentToJson(record)));
  spdlog::info("local cloud: agent of {} {} as pid {} (nbd {}, api {})", id,
               started->adopted ? "adopted" : "started", record.pid, *nbd, *api);
  record.agent.status = "running";
  return record.agent;
}

Result<Agent> LocalProvider::InstallAgent(const AgentInstallRequest& request) {
  SimulateLatency();
  auto host = HostForAgent(request.host_id, "install");
  if (!host.ok()) return host.status();

  auto existing = internal::ReadAgent(internal::AgentFile(root_, request.host_id));
  if (!existing.ok() && existing.status().code() != StatusCode::kNotFound) return existing.status();
  internal::AgentRecord record;
  if (existing.ok()) {
    record = std::move(*existing);  // installed before: same state dir, so the agent resumes where it was
  } else {
    const std::string version = request.version.empty() ? internal::DefaultAgentVersion() : request.version;
    auto program = internal::AgentProgramFor(agent_builds_, version);
    if (!program.ok()) return program.status();
    record.program = *program;
    record.agent.host_id = request.host_id;
    record.agent.version = version;
    record.agent.installed_at = NowUnixMillis();
    record.agent.group = request.group;
  }
  return EnsureAgentRunning(*host, std::move(record));
}

Result<Agent> LocalProvider::DescribeAgent(const std::string& host_id) {
  if (!internal::IsSafeId(host_id)) return InvalidArgument("invalid host id \"" + host_id + "\"");
  auto record = internal::ReadAgent(internal::AgentFile(root_, host_id));
  if (!record.ok()) {
    if (record.status().code() == StatusCode::kNotFound)
      return NotFound("no agent installed on host " + host_id);
    return record.status();
  }
  return Observed(root_, *record);
}

Status LocalProvider::UninstallAgent(const std::string& host_id) {
  SimulateLatency();
  if (!internal::IsSafeId(host_id)) return InvalidArgument("invalid host id \"" + host_id + "\"");
  // An unreadable record does not block the uninstall: the ready file still names the process.
  auto record = internal::ReadAgent(internal::AgentFile(root_, host_id));
  const int pid = record.ok() ? record->pid : 0;
  const std::string program = record.ok() ? record->program : "cdr-agent";
  auto stopped = internal::StopDaemon(pid, program, internal::AgentReadyFile(root_, host_id));
  if (!stopped.ok()) return stopped.status();
  if (*stopped != 0) spdlog::info("local cloud: stopped the agent of {} (pid {})", host_id, *stopped);
  const fs::path dir = internal::AgentDir(root_, host_id);
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return Internal(dir.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace cdr::providers::local
