// Failback (DESIGN §2): the way home after a confirmed failover, declared by [group.server.failback]. The plan
// walks one transition at a time, each visible in it:
//
//   failover_confirmed ──reverse_register──► reverse_registering ──► reverse_initialized
//        a cdr-agent is put in front of the DR host's disks (the DR host is the protected side now); the DR
//        host's NBD export is the agent's from then on
//   reverse_registering (interrupted), or the reverse agent stopped or gone ──reverse_register──► again
//   reverse_initialized ──► (reverse replication, failback and register: not built yet; nothing is planned)
//   [group.server.failback] while not failover_confirmed nor failing back ──► refused, naming both
//   [group.server.failback] removed while failing back ──► refused: put it back
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reconcile/internal/dr_host_transitions.h"
#include "reconcile/internal/server_transitions.h"
#include "reconcile/plan.h"

namespace cdr::reconcile::internal {

// States a failback has reached (reverse_registering … registering), after which the server's plan is this one.
bool IsFailbackState(const std::string& server_state);

// `declared`: the spec has [group.server.failback]. Returns a refusal, or "" when the changes are planned.
std::string PlanFailback(const ServerView& server, const DrHostView& failover, bool declared,
                         const nlohmann::json& before, const nlohmann::json& after, std::vector<ResourceChange>* out);

}  // namespace cdr::reconcile::internal
