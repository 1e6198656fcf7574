// The plan of an agent upgrade (user guide §3.2.1): the spec's `agent_version` against the release the server's
// agent runs. Diff calls PlanAgentUpgrade before the replication transitions; apply is upgrade_steps.cc.
//
//   initialized | realtime | realtime_stopped, agent_version ≠ the running release
//        ──upgrade_agent──► agent_upgrading 客户端升级中 ──new agent answers with its version, in the state the
//                           server was in (replication resumes from the journal: no full sync, no repair)──► that state
//                                          └──it does not come up healthy──► agent_upgrade_failed 升级失败
//   agent_upgrading (an apply died mid-upgrade) ──upgrade_agent (resumed, towards the spec's version)──► as above
//   agent_upgrade_failed, agent_version set back to the release before ──upgrade_agent──► the old release
//        restarted on the same journal ──► the state the server was in
//   agent_upgrade_failed otherwise ──► refused: the ways out are that, or removing the server (deregister)
//   any other state, or a version the cloud does not offer ──► refused (the state, the allowed ones, what to do)
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "providers/types/agent_version.h"
#include "reconcile/internal/server_transitions.h"
#include "reconcile/plan.h"

namespace cdr::reconcile::internal {

// initialized, realtime, realtime_stopped.
bool AllowsAgentUpgrade(std::optional<ServerState> server_state);

// The release the agent runs: its own word when it answered, else the provider's, else the state's.
std::string RunningAgentVersion(const ServerView& server, const nlohmann::json& record_attributes);

struct UpgradeIntent {
  std::optional<std::string> want;                   // the spec's agent_version
  const providers::AgentVersions* offered = nullptr;  // what the cloud offers (null: not known)
};

// Appends upgrade_agent when one is due. Returns a refusal, or "" when none.
std::string PlanAgentUpgrade(const ServerView& server, const nlohmann::json& record_attributes,
                             const nlohmann::json& before, const nlohmann::json& after, const UpgradeIntent& intent,
                             std::vector<ResourceChange>* out);

}  // namespace cdr::reconcile::internal
