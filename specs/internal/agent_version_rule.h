// What an `agent_version` may look like in a spec: a release number as cdr-agent --version prints it
// ("0.2.0", "1.10.3-rc1"). Whether the cloud offers it is a plan-time question (the provider's versions).
#pragma once

#include <string>
#include <string_view>

namespace cdr::specs::internal {

// "" when `version` is well formed, else what is wrong with it.
std::string AgentVersionProblems(std::string_view version);

}  // namespace cdr::specs::internal
