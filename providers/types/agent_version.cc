#include "providers/types/agent_version.h"

#include <algorithm>

#include "providers/typed_calls.h"

namespace cdr::providers::types {

TypeSchema AgentVersionSchema() {
  TypeSchema schema;
  schema.name = Type(ResourceType::kAgentVersion);
  return schema;
}

Json AgentVersionsToJson(const AgentVersions& versions) {
  Json list = Json::array();
  for (const std::string& v : versions.offered)
    list.push_back({{"version", v}, {"default", v == versions.default_version}});
  return list;
}

Result<AgentVersions> ListAgentVersions(ResourceProvider& provider) {
  Result<Json> list = provider.List(Type(ResourceType::kAgentVersion), Json::object());
  if (!list.ok()) return list.status();
  if (!list->is_array())
    return Internal("the provider answered with an agent version list that is not a list");
  AgentVersions versions;
  for (const Json& v : *list) {
    if (!v.is_object() || !v.contains("version") || !v["version"].is_string())
      return Internal("the provider answered with an agent version without a \"version\" string");
    versions.offered.push_back(v["version"]);
    if (v.value("default", false)) versions.default_version = v["version"];
  }
  std::sort(versions.offered.begin(), versions.offered.end());
  return versions;
}

}  // namespace cdr::providers::types
