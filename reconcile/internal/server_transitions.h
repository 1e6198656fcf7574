// The replication side of a protected server's plan (docs/state-machine.md): which state-machine transitions
// bring the server from the state it is in (the agent's word when it answered) to the `replication` the spec
// asks for, and what deregistering it takes. Diff calls these; each returns the changes in execution order.
//
//   agent process stopped                          → restart_agent
//   shadow process stopped                         → shadow_host restart (same client token; replicas kept)
//   running: streaming to an address the shadow no longer listens on (it restarted) → retarget_replication
//   running: initialized | *_stopped               → shadow_host create (when there is none),
//   start_replication
//            replication_error                     → repair (unless the agent is already repairing)
//            *_stopping                            → refused: wait until stopped
//   stopped: replication_starting | full_sync | realtime | repair_starting | repairing → stop_replication
//   deregister: stop_replication (when replicating), shadow_host delete, deregister; refused while the agent
//               runs but does not answer (its replication cannot be stopped)
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "reconcile/plan.h"
#include "reconcile/refresh.h"
#include "reconcile/server_state.h"
#include "state/state_store.h"

namespace cdr::reconcile::internal {

struct ServerView {
  std::string address;                           // the server's address in the spec's terms
  std::string state;                             // EffectiveServerState, by name
  const state::ResourceRecord* shadow = nullptr;  // the shadow host's record, when there is one
  const ServerObservation* seen = nullptr;
  bool shadow_gone = false;                       // its record says it exists, the provider says it does not
  bool shadow_stopped = false;                    // it exists, its process does not run
  bool target_stale = false;                      // the agent streams to an address the shadow left
  // `state` parsed; nullopt for a name this cdr does not know, which no transition starts from.
  std::optional<ServerState> Parsed() const { return ParseServerState(state); }
};

// Appends the changes to `out`; returns a refusal (why the spec cannot be reached now), or "" when none.
std::string PlanReplication(const ServerView& server, const nlohmann::json& before, const nlohmann::json& after,
                            const std::string& dr_zone, const std::string& vpc, std::vector<ResourceChange>* out);

// The shadow host takes recovery points by the server's recovery_points policy: an update when they differ.
void PlanRecoveryPolicy(const ServerView& server, const nlohmann::json& after, std::vector<ResourceChange>* out);

// The changes before a server's deregistration (or its move to another host): stop replicating, delete the
// shadow host with its replicas. The deregistration itself is the caller's. Returns a refusal, or "" when none.
std::string PlanTeardown(const ServerView& server, const nlohmann::json& before, std::vector<ResourceChange>* out);

// The spec's (the change's after) `replication` is "running"; absent it is.
bool WantsReplication(const nlohmann::json& after);
// The forward states in which the agent sends (replication_starting, full_sync, realtime, repair_*).
bool IsReplicating(std::optional<ServerState> state);

// The deletion of the server's shadow host (its replicas and recovery points go with it), for `reason`.
ResourceChange ShadowHostDelete(const ServerView& server, std::string reason);

}  // namespace cdr::reconcile::internal
