// `agent_version`: the agent releases the cloud offers (providers/types/agent_version.h).
#include "providers/local/local_resources.h"
#include "providers/resource_handlers.h"

namespace cdr::providers::local {

ResourceTypeDef AgentVersionType(std::shared_ptr<LocalProvider> cloud) {
  ResourceTypeDef def{types::AgentVersionSchema(), {}};
  def.handlers.list = [cloud](const Json&) -> Result<Json> {
    Result<AgentVersions> versions = cloud->ListAgentVersions();
    if (!versions.ok()) return versions.status();
    return types::AgentVersionsToJson(*versions);
  };
  return def;
}

}  // namespace cdr::providers::local
