// `agent_version`: the agent releases a cloud can install (what `agent_version` in the spec may name), listed
// as resources {"version": "0.6.0", "default": false}. The type's one home (struct, JSON form, schema, typed
// call), as providers/types/host.h describes.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "providers/resource_provider.h"
#include "providers/resource_schema.h"

namespace cdr::providers {

struct AgentVersions {
  std::vector<std::string> offered;  // sorted
  std::string default_version;       // what an install without a version gets
};

namespace types {

TypeSchema AgentVersionSchema();
// The versions as the type's list answers them: one resource per offered version.
Json AgentVersionsToJson(const AgentVersions& versions);

Result<AgentVersions> ListAgentVersions(ResourceProvider& provider);

}  // namespace types
}  // namespace cdr::providers
