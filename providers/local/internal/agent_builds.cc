#include "providers/local/internal/agent_builds.h"

namespace cdr::providers::local::internal {

AgentBuilds BuiltAgentReleases() {
  return {{CDR_AGENT_VERSION, "cdr-agent"}, {CDR_AGENT_NEXT_VERSION, "cdr-agent-next"}};
}

std::string DefaultAgentVersion() { return CDR_AGENT_VERSION; }

Result<std::string> AgentProgramFor(const AgentBuilds& offered, const std::string& version) {
  auto it = offered.find(version);
  if (it != offered.end()) return it->second;
  std::string versions;
  for (const auto& [v, program] : offered) versions += (versions.empty() ? "" : ", ") + v;
  return InvalidArgument("agent version \"" + version + "\" is not offered by this cloud (it offers " + versions +
                         ")");
}

std::string AgentProgramProblems(const std::string& program) {
  if (program.rfind("cdr-agent", 0) != 0) return "must start with cdr-agent";
  if (program.size() > 64) return "is longer than 64 characters";
  for (char c : program) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) return "may hold only letters, digits, '-', '_' and '.'";
  }
  return "";
}

}  // namespace cdr::providers::local::internal
