// What refresh found different from the state (DriftedResource::problem, "problem" in plan JSON): one code
// per finding, which the plan then answers (a create, a restart, a refusal). Other codes of cdr drift's
// report (a failed drill verification, unapplied spec, …) are reported only and parse to nullopt here.
//
//   deleted                   the provider no longer has the resource
//   host_gone                 the server's host no longer exists
//   agent_missing             the agent was uninstalled outside cdr
//   agent_stopped             the agent process does not run
//   shadow_host_stopped       the cdr-shadow process does not run
//   dr_host_stopped           a DR host does not serve its disks
//   replication_target_stale  the agent streams to an address its shadow host left
//   settings_changed          the agent's settings differ from the spec's
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace cdr::reconcile {

enum class DriftProblem {
  kDeleted,
  kHostGone,
  kAgentMissing,
  kAgentStopped,
  kShadowHostStopped,
  kDrHostStopped,
  kReplicationTargetStale,
  kSettingsChanged,
};

inline constexpr EnumName<DriftProblem> kDriftProblemNames[] = {
    {DriftProblem::kDeleted, "deleted"},
    {DriftProblem::kHostGone, "host_gone"},
    {DriftProblem::kAgentMissing, "agent_missing"},
    {DriftProblem::kAgentStopped, "agent_stopped"},
    {DriftProblem::kShadowHostStopped, "shadow_host_stopped"},
    {DriftProblem::kDrHostStopped, "dr_host_stopped"},
    {DriftProblem::kReplicationTargetStale, "replication_target_stale"},
    {DriftProblem::kSettingsChanged, "settings_changed"},
};

constexpr const char* DriftProblemName(DriftProblem problem) { return NameOf(kDriftProblemNames, problem); }

constexpr std::optional<DriftProblem> ParseDriftProblem(std::string_view name) {
  return ParseName(kDriftProblemNames, name);
}

}  // namespace cdr::reconcile
