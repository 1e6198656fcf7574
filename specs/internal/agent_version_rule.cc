#include "specs/internal/agent_version_rule.h"

#include <regex>

namespace cdr::specs::internal {

std::string AgentVersionProblems(std::string_view version) {
  static const std::regex kRelease(R"(^(0|[1-9][0-9]{0,5})(\.(0|[1-9][0-9]{0,5})){2}(-[0-9A-Za-z][0-9A-Za-z.]{0,31})?$)");
  if (std::regex_match(version.begin(), version.end(), kRelease)) return "";
  return "must be a release number MAJOR.MINOR.PATCH with an optional -suffix (e.g. \"0.2.0\", \"1.4.0-rc1\")";
}

}  // namespace cdr::specs::internal
