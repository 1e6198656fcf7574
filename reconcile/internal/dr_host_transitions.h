// The DR side of a protected server's plan (docs/state-machine.md, drill and failover): which changes bring
// its drill and failover DR hosts to what the spec declares, and the guards that refuse a plan the state
// machine does not allow.
//
//   drill declared, none up        → create (server in realtime | realtime_stopping | realtime_stopped)
//   drill parameters changed       → replace: brought up again at the new point (its writes are discarded)
//   drill verify changed           → update: the verification runs again
//   verification without a result  → update: run it (again); an apply died while verifying, or it could not
//   run drill removed                  → delete ("clear drill") failover declared, none up     → create
//   "failover": failing_over → failed_over (same states, and no drill) failover point/host changed    →
//   transition "change_recovery_point" (not once confirmed) confirm = true                 → transition
//   "confirm" (its disks become standalone), then the shadow host and
//                                    every recovery point are deleted; the server is failover_confirmed
//   failover removed               → refused: a failed-over server comes back only through failback
//   a DR host stopped or deleted outside cdr → restart / create again
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reconcile/drift_problem.h"
#include "reconcile/internal/server_transitions.h"
#include "reconcile/plan.h"
#include "state/state_store.h"

namespace cdr::reconcile::internal {

struct DrHostView {
  std::string address;                           // "….server.S.drill" or "….server.S.failover"
  const state::ResourceRecord* record = nullptr;  // in the state, when there is one
  std::optional<DriftProblem> drift;              // deleted | dr_host_stopped | none
};

// `desired` is null when the spec has no such table. Each returns a refusal, or "" when none.
std::string PlanDrill(const ServerView& server, const DrHostView& drill, const nlohmann::json* desired,
                      std::vector<ResourceChange>* out);
std::string PlanFailover(const ServerView& server, const DrHostView& failover, const nlohmann::json* desired,
                         const DrHostView& drill, std::vector<ResourceChange>* out);

// The spec tables an operator edits for this failover, for messages: the group's ([group.failover],
// [group.failback]) when its DR host was brought up for a group failover, else the server's own.
struct FailTables {
  std::string failover;
  std::string failback;
};
FailTables FailTablesOf(const DrHostView& failover);

// Drills and failovers need the replica to be current: realtime, or stopped/stopping from realtime.
bool AllowsDrHost(std::optional<ServerState> server_state);
bool IsFailoverState(std::optional<ServerState> server_state);

}  // namespace cdr::reconcile::internal
