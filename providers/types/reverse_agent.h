// `reverse_agent`: failback's cdr-agent in front of a failed-over DR host's disks, known by the DR host's id
// (docs/state-machine.md): the DR host becomes the protected side and every write of its workload passes
// through the agent's journal. It is read and deleted as an `agent` (providers/types/agent.h). The type's one
// home (struct, JSON form, schema, typed call), as providers/types/host.h describes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "providers/resource_provider.h"
#include "providers/resource_schema.h"
#include "providers/types/agent.h"

namespace cdr::providers {

struct ReverseAgentRequest {
  std::string dr_host_id;  // a DR host whose disks are standalone (its failover was confirmed)
  std::string group;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ReverseAgentRequest, dr_host_id, group)

namespace types {

TypeSchema ReverseAgentSchema();

// The agent is known by the DR host's id from then on (ReadAgent, DeleteAgent) and the DR host's disks are
// served by it (ReadDrHost gives its NBD address). Installing again returns the same agent;
// kFailedPrecondition while the DR host's disks still depend on the shadow host.
Result<Agent> CreateReverseAgent(ResourceProvider& provider, const ReverseAgentRequest& request);

}  // namespace types
}  // namespace cdr::providers
