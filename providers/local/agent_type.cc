// `agent`: the cdr-agent on a production host, known by the host's id; `upgrade` replaces its release.
#include "providers/local/local_resources.h"
#include "providers/resource_handlers.h"

namespace cdr::providers::local {

ResourceTypeDef AgentType(std::shared_ptr<LocalProvider> cloud) {
  ResourceTypeDef def{types::AgentSchema(), {}};
  def.handlers.create =
      Creator<AgentInstallRequest>([cloud](const AgentInstallRequest& r) { return cloud->InstallAgent(r); });
  def.handlers.read = [cloud](const std::string& id) { return AsJson(cloud->DescribeAgent(id)); };
  def.handlers.remove = [cloud](const std::string& id) { return cloud->UninstallAgent(id); };
  def.handlers.operations[std::string(OperationName(Operation::kUpgrade))] = OperationOn<AgentUpgradeRequest>(
      "host_id", [cloud](const AgentUpgradeRequest& r) { return cloud->UpgradeAgent(r); });
  return def;
}

}  // namespace cdr::providers::local
