#include "providers/types/reverse_agent.h"

#include "providers/resource_handlers.h"
#include "providers/typed_calls.h"

namespace cdr::providers::types {

TypeSchema ReverseAgentSchema() {
  return SchemaOf<ReverseAgentRequest>(ResourceType::kReverseAgent, {"dr_host_id"});
}

Result<Agent> CreateReverseAgent(ResourceProvider& provider, const ReverseAgentRequest& request) {
  return As<Agent>(provider.Create(Type(ResourceType::kReverseAgent), request.dr_host_id, ConfigOf(request)),
                   "agent");
}

}  // namespace cdr::providers::types
