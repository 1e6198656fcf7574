// The ways out of a failover (docs/state-machine.md), so that no state is a dead end, and the fence that
// keeps production from diverging from the DR host meanwhile. Diff calls these; each returns the changes in
// execution order.
//
//   failed_over ──[group.server.failover] removed──► rollback: the DR host is deleted (its writes are lost),
//        production is unfenced and takes the state its agent reports (realtime_stopped), then the server's
//        `replication` applies again (running: replication resumes from where it stopped, no full sync)
//   failover_confirmed ──server removed from the spec──► release: the DR host leaves cdr's state and runs on
//   as a
//        standalone host, the agent is uninstalled from production (deregister)
//   failed_over | failover_confirmed, production agent not fenced (unreachable at failover, or reports
//        fenced = false) ──► fence (retried by every plan until it succeeds)
//   failover_confirmed ──[group.server.failback]──► failback (failback_transitions.h)
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reconcile/internal/dr_host_transitions.h"
#include "reconcile/internal/server_transitions.h"
#include "reconcile/plan.h"

namespace cdr::reconcile::internal {

// Rollback is allowed while the failover is not confirmed: failing_over (interrupted) or failed_over.
bool AllowsRollback(std::optional<ServerState> server_state);

// [group.server.failover] was removed. Returns a refusal, or "" when the rollback is planned.
std::string PlanRollback(const ServerView& server, const DrHostView& failover, const nlohmann::json& before,
                         const nlohmann::json& after, const std::string& dr_zone, const std::string& vpc,
                         std::vector<ResourceChange>* out);

// The server was removed from the spec while failed over. Returns a refusal, or "" when the release is planned
// (the caller adds the deregistration).
std::string PlanRelease(const ServerView& server, const DrHostView& failover, std::vector<ResourceChange>* out);

// Fences production again when it is not known to be fenced; `server` is the server's record.
void PlanFenceRetry(const ServerView& server, const nlohmann::json& server_attributes,
                    std::vector<ResourceChange>* out);

}  // namespace cdr::reconcile::internal
