// `agent`: the cdr-agent on a production host, known by the host's id; `upgrade` replaces its release. The
// type's one home (structs, JSON form, schema, typed calls), as providers/types/host.h describes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "providers/resource_provider.h"
#include "providers/resource_schema.h"

namespace cdr::providers {

struct AgentInstallRequest {
  std::string host_id;
  std::string group;    // the protection group the agent serves
  std::string version;  // one of AgentVersions().offered; empty: AgentVersions().default_version
};

// Replaces the running agent of a host by another release on the same journal, bitmap, disks, epoch and
// certificates: the old process is stopped gracefully (it flushes its journal and marks its bitmap clean),
// the new one started and awaited. Writes through the NBD export fail to connect meanwhile; none acknowledged
// is lost.
struct AgentUpgradeRequest {
  std::string host_id;
  std::string version;  // one of AgentVersions().offered; the same as the running one restarts nothing
};

struct Agent {
  std::string host_id;
  std::string version;
  std::string status;  // "running" (the agent process answers) | "stopped" (installed, process not running)
  int64_t installed_at = 0;
  std::string group;  // the protection group it was installed for
  // How the reconciler reaches the agent (empty while stopped): its control API and its NBD front.
  std::string api_address;  // "127.0.0.1:PORT"
  std::string api_token;    // bearer token of the control API
  // cdr's client certificate for the agent's HTTPS control API (client-cert.pem, client-key.pem,
  // ca-cert.pem); empty: the agent serves plain HTTP (insecure = true).
  std::string api_tls_dir;
  std::string nbd_address;  // "127.0.0.1:PORT"; exports are named after the host's disks (vda, …)
  // The client certificate directory an NBD client presents to the exports (NBD_OPT_STARTTLS, libnbd's
  // tls-certificates); empty: the exports are plain (insecure = true).
  std::string nbd_tls_dir;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AgentInstallRequest, host_id, group, version)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AgentUpgradeRequest, host_id, version)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Agent, host_id, version, status, installed_at, group,
                                                api_address, api_token, api_tls_dir, nbd_address, nbd_tls_dir)

namespace types {

TypeSchema AgentSchema();

// Registers the host with the DR service. Installing on a host that already has the agent returns it (the
// host id is the client token); one that is stopped is started again.
Result<Agent> CreateAgent(ResourceProvider& provider, const AgentInstallRequest& request);
// Also a reverse agent, by its DR host's id (providers/types/reverse_agent.h). kNotFound when not installed.
Result<Agent> ReadAgent(ResourceProvider& provider, const std::string& host_id);
Result<std::vector<Agent>> ReadAgents(ResourceProvider& provider, const std::vector<std::string>& host_ids);
Status DeleteAgent(ResourceProvider& provider, const std::string& host_id);  // a missing one is Ok
// kInvalidArgument naming the offered versions for one that is not; kFailedPrecondition when the new release
// does not come up (its error and log), the old one then stopped: upgrading to the old version again restarts
// it.
Result<Agent> UpgradeAgent(ResourceProvider& provider, const AgentUpgradeRequest& request);

}  // namespace types
}  // namespace cdr::providers
