#include "reconcile/internal/server_transitions.h"

#include "providers/process_status.h"
#include "reconcile/address.h"
#include "specs/spec.h"
#include "state/record_status.h"

namespace cdr::reconcile::internal {
namespace {

using providers::ProcessStatusOf;
using state::RecordStatus;
using state::RecordStatusOf;

nlohmann::json ShadowPolicy(const nlohmann::json& server) {
  const nlohmann::json& p = server.value("recovery_points", nlohmann::json::object());
  return {{"every_seconds", p.value("every_seconds", p.value("every_hours", 1) * 3600)}, {"keep", p.value("keep", 24)}};
}

bool NeedsShadowHost(const ServerView& s) {
  return !s.shadow || s.shadow_gone || state::IsInFlight(*s.shadow);
}

ResourceChange ShadowCreate(const ServerView& s, const nlohmann::json& after, const std::string& dr_zone,
                            const std::string& vpc) {
  nlohmann::json attributes = {{"server_id", after.value("host", "")},
                               {"zone", dr_zone},
                               {"vpc", vpc},
                               {"disk_type", after.value("dr_disk_type", "")},
                               {"recovery_points", ShadowPolicy(after)}};
  std::string reason = "replication needs a shadow host in the DR zone to receive the data";
  if (s.shadow_gone) reason = "the shadow host was deleted outside cdr; a new one gets a full sync";
  if (s.shadow && RecordStatusOf(*s.shadow) == RecordStatus::kCreating)
    reason = "resuming an interrupted create (same client token)";
  return MakeChange(ShadowHostAddress(s.address), ResourceKind::kShadowHost, Action::kCreate,
                    Operation::kCreate, nullptr, attributes, reason);
}

ResourceChange ShadowRestart(const ServerView& s) {
  const nlohmann::json& a = s.shadow->attributes;
  nlohmann::json shown = {{"id", a.value("id", "")}, {"replica_dir", a.value("replica_dir", "")}};
  return MakeChange(
      ShadowHostAddress(s.address), ResourceKind::kShadowHost, Action::kTransition, Operation::kRestart,
      shown, shown,
      "its cdr-shadow process is not running: create it again with the same client token, which restarts "
      "it on a new address and keeps the replicas");
}

ResourceChange Transition(const ServerView& s, Operation operation, const nlohmann::json& before,
                          const nlohmann::json& after, std::string reason) {
  return {s.address, ResourceKind::kServer, Action::kTransition, operation, "", before, after,
          {},        std::move(reason)};
}

}  // namespace

ResourceChange ShadowHostDelete(const ServerView& s, std::string reason) {
  return MakeChange(ShadowHostAddress(s.address), ResourceKind::kShadowHost, Action::kDelete,
                    Operation::kDelete, s.shadow->attributes, nullptr, std::move(reason));
}

bool WantsReplication(const nlohmann::json& after) {
  return specs::ParseReplication(after.value("replication", "running")) == specs::Replication::kRunning;
}

bool IsReplicating(std::optional<ServerState> state) {
  return state && IsReplicatingState(*state) && !ForwardOf(*state);
}

std::string PlanReplication(const ServerView& s, const nlohmann::json& before, const nlohmann::json& after,
                            const std::string& dr_zone, const std::string& vpc, std::vector<ResourceChange>* out) {
  if (s.seen && s.seen->agent && ProcessStatusOf(*s.seen->agent) == providers::ProcessStatus::kStopped) {
    out->push_back(Transition(s, Operation::kRestartAgent, before, after,
                              "the agent process on " + after.value("host", "") +
                                  " is not running: install it again, which restarts it (its journal and "
                                  "bitmap are kept)"));
  }
  if (s.shadow && s.shadow_stopped) out->push_back(ShadowRestart(s));
  const std::optional<specs::Replication> want =
      specs::ParseReplication(after.value("replication", "running"));
  const std::string& state = s.state;
  const std::optional<ServerState> current = s.Parsed();
  // A repair streams too (an agent restarted after a crash resyncs its dirty blocks first).
  if (want == specs::Replication::kRunning && IsReplicating(current) && (s.shadow_stopped || s.target_stale)) {
    out->push_back(Transition(s, Operation::kRetargetReplication, before, after,
                              std::string(s.shadow_stopped ? "the shadow host restarts on a new address"
                                                           : "the shadow host listens on a new address") +
                                  " and the agent still streams to the old one: stop replication, then start "
                                  "it against the new address (it resumes, nothing is copied twice)"));
  } else if (want == specs::Replication::kRunning) {
    if (IsOneOf(current,
                {ServerState::kInitialized, ServerState::kFullSyncStopped, ServerState::kRealtimeStopped})) {
      if (NeedsShadowHost(s)) out->push_back(ShadowCreate(s, after, dr_zone, vpc));
      out->push_back(Transition(s, Operation::kStartReplication, before, after,
                                current == ServerState::kInitialized
                                    ? "replication = \"running\" in the spec: scan, full sync, then realtime"
                                    : "replication = \"running\" in the spec and the server is " + state +
                                          ": restart, resuming where it stopped"));
    } else if (current == ServerState::kReplicationError) {
      out->push_back(Transition(
          s, Operation::kRepair, before, after,
          after.value("auto_restart", true)
              ? "the server is in replication_error and its agent has not started repairing by itself: "
                "compare "
                "primary and replica, send only the differing blocks"
              : "the server is in replication_error and auto_restart = false: repair compares primary and "
                "replica and sends only the differing blocks"));
    } else if (IsOneOf(current, {ServerState::kFullSyncStopping, ServerState::kRealtimeStopping})) {
      return "cannot start replication while the server is " + state +
             "; wait until it is stopped, then apply again";
    }
  } else if (want == specs::Replication::kStopped && IsReplicating(current)) {
    out->push_back(Transition(s, Operation::kStopReplication, before, after,
                              "replication = \"stopped\" in the spec and the server is " + state +
                                  "; the agent keeps journaling, a later start resumes"));
  }
  return "";
}

void PlanRecoveryPolicy(const ServerView& s, const nlohmann::json& after, std::vector<ResourceChange>* out) {
  if (!s.shadow || s.shadow_gone || RecordStatusOf(*s.shadow) != RecordStatus::kCreated) return;
  const nlohmann::json want = ShadowPolicy(after);
  const nlohmann::json have = s.shadow->attributes.value("recovery_points", nlohmann::json());
  if (have == want) return;
  nlohmann::json before = {{"recovery_points", have}};
  nlohmann::json changed = {{"recovery_points", want}};
  out->push_back(MakeChange(ShadowHostAddress(s.address), ResourceKind::kShadowHost, Action::kUpdate,
                            Operation::kSetRecoveryPolicy, before, changed,
                            "a recovery point every " + std::to_string(want.value("every_seconds", 0)) +
                                " s, keep " + std::to_string(want.value("keep", 0)) +
                                " (older points are pruned, freeing their space)"));
}

std::string PlanTeardown(const ServerView& s, const nlohmann::json& before, std::vector<ResourceChange>* out) {
  const bool agent_runs = !s.seen || !s.seen->agent || s.seen->AgentRunning();
  if (IsReplicating(s.Parsed()) && agent_runs && s.seen && !s.seen->status && !s.seen->status_error.empty()) {
    // Deleting the shadow host under a replicating agent would leave it streaming into nothing for good.
    return "cannot deregister while the server is " + s.state + ": its agent runs but does not answer (" +
           s.seen->status_error +
           "), so its replication cannot be stopped first. Run cdr plan again once it answers, or stop the agent "
           "process (on the local cloud: `cdr local down`); a stopped agent is deregistered without it";
  }
  if (IsReplicating(s.Parsed()) && agent_runs) {
    out->push_back(Transition(s, Operation::kStopReplication, before, before,
                              "the server leaves protection: stop replicating before the shadow host goes"));
  }
  if (s.shadow) {
    out->push_back(ShadowHostDelete(s, "the server leaves protection: its shadow host and replicas are deleted"));
  }
  return "";
}

}  // namespace cdr::reconcile::internal
