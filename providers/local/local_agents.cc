// The DR agent's registration on a host. For now installing only records the agent; a later issue makes it
// start a real cdr-agent process for the host's disks.
#include "common/clock.h"
#include "common/json_file.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/records.h"
#include "providers/local/local_provider.h"

namespace cdr::providers::local {
namespace {

constexpr char kAgentVersion[] = "0.1.0";

}  // namespace

Result<Agent> LocalProvider::InstallAgent(const AgentInstallRequest& request) {
  SimulateLatency();
  auto host = DescribeHost(request.host_id);
  if (!host.ok()) {
    if (host.status().code() == StatusCode::kNotFound) {
      return NotFound("cannot install the agent: host " + request.host_id + " does not exist");
    }
    return host.status();
  }
  if (host->power_state != "running") {
    return FailedPrecondition("cannot install the agent: host " + request.host_id + " is " +
                              host->power_state + "; start it first");
  }

  const auto path = internal::AgentFile(root_, request.host_id);
  auto existing = internal::ReadAgent(path);
  if (existing.ok() || existing.status().code() != StatusCode::kNotFound) return existing;

  Agent agent;
  agent.host_id = request.host_id;
  agent.version = kAgentVersion;
  agent.status = "installed";
  agent.installed_at = NowUnixMillis();
  agent.group = request.group;
  CDR_RETURN_IF_ERROR(WriteJsonFileAtomically(path, internal::AgentToJson(agent)));
  return agent;
}

Result<Agent> LocalProvider::DescribeAgent(const std::string& host_id) {
  if (!internal::IsSafeId(host_id)) return InvalidArgument("invalid host id \"" + host_id + "\"");
  auto agent = internal::ReadAgent(internal::AgentFile(root_, host_id));
  if (!agent.ok() && agent.status().code() == StatusCode::kNotFound) {
    return NotFound("no agent installed on host " + host_id);
  }
  return agent;
}

Status LocalProvider::UninstallAgent(const std::string& host_id) {
  SimulateLatency();
  if (!internal::IsSafeId(host_id)) return InvalidArgument("invalid host id \"" + host_id + "\"");
  const auto path = internal::AgentFile(root_, host_id);
  std::error_code ec;
  if (!std::filesystem::remove(path, ec) && ec) return Internal(path.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace cdr::providers::local
