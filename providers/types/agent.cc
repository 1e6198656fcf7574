#include "providers/types/agent.h"

#include "providers/resource_handlers.h"
#include "providers/typed_calls.h"

namespace cdr::providers::types {

TypeSchema AgentSchema() { return SchemaOf<AgentInstallRequest>(ResourceType::kAgent, {"host_id"}); }

Result<Agent> CreateAgent(ResourceProvider& provider, const AgentInstallRequest& request) {
  return As<Agent>(provider.Create(Type(ResourceType::kAgent), request.host_id, ConfigOf(request)), "agent");
}

Result<Agent> ReadAgent(ResourceProvider& provider, const std::string& host_id) {
  return As<Agent>(provider.Read(Type(ResourceType::kAgent), host_id), "agent");
}

Result<std::vector<Agent>> ReadAgents(ResourceProvider& provider, const std::vector<std::string>& host_ids) {
  return ReadMany<Agent>(provider, ResourceType::kAgent, host_ids, &Agent::host_id, "agent");
}

Status DeleteAgent(ResourceProvider& provider, const std::string& host_id) {
  return Deleted(provider.Delete(Type(ResourceType::kAgent), host_id));
}

Result<Agent> UpgradeAgent(ResourceProvider& provider, const AgentUpgradeRequest& request) {
  return As<Agent>(provider.Invoke(Type(ResourceType::kAgent), request.host_id, Op(Operation::kUpgrade),
                                   {{"version", request.version}}),
                   "agent");
}

}  // namespace cdr::providers::types
