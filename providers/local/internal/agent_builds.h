// The cdr-agent releases the local cloud offers, each a program found beside cdr (binary_locator.h): the two
// built with cdr (cdr-agent, and cdr-agent-next, the same sources under a newer version, so an agent upgrade runs
// between real binaries), plus any that ROOT/cloud.json lists under "agent_versions" (cloud_config.h).
#pragma once

#include <map>
#include <string>

#include "common/status.h"

namespace cdr::providers::local::internal {

// version → program, e.g. {"0.5.0": "cdr-agent", "0.6.0": "cdr-agent-next"}.
using AgentBuilds = std::map<std::string, std::string>;

// The releases built with cdr; the versions come from the build (CMakeLists.txt), as the agents' own.
AgentBuilds BuiltAgentReleases();
// What an install without a version gets: the cdr-agent built with cdr.
std::string DefaultAgentVersion();
// The program of `version`; kInvalidArgument naming the offered versions when it is not one of them.
Result<std::string> AgentProgramFor(const AgentBuilds& offered, const std::string& version);
// An extra release's program must be named cdr-agent… (the cloud recognises its processes by that name) and be
// a plain file name.
std::string AgentProgramProblems(const std::string& program);

}  // namespace cdr::providers::local::internal
