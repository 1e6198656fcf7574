// `agent_version`: the agent releases the cloud offers, as resources {"version": "0.6.0", "default": false},
// sorted.
#include "providers/local/local_resources.h"
#include "providers/resource_handlers.h"

namespace cdr::providers::local {

ResourceTypeDef AgentVersionType(std::shared_ptr<LocalProvider> cloud) {
  TypeSchema schema;
  schema.name = std::string(TypeName(ResourceType::kAgentVersion));
  ResourceTypeDef def{schema, {}};
  def.handlers.list = [cloud](const Json&) -> Result<Json> {
    Result<AgentVersions> versions = cloud->ListAgentVersions();
    if (!versions.ok()) return versions.status();
    Json list = Json::array();
    for (const std::string& v : versions->offered)
      list.push_back({{"version", v}, {"default", v == versions->default_version}});
    return list;
  };
  return def;
}

}  // namespace cdr::providers::local
