// Failback (docs/state-machine.md): the way home after a confirmed failover, declared by
// [group.server.failback]. The plan walks one transition at a time, each visible in it, and chains those that
// follow without a decision:
//
//   failover_confirmed ──reverse_register──► reverse_registering ──► reverse_initialized
//        a cdr-agent is put in front of the DR host's disks (the DR host is the protected side now); the DR
//        host's NBD export is the agent's from then on
//   reverse_initialized ──shadow_host create (in the production zone; its replicas ARE production's disks)
//        ──start_reverse_replication──► reverse_starting ──► reverse_repairing ──► reverse_realtime
//        (compare first: only the blocks that differ from production travel)
//   reverse_* (stop, restart, error, repair, retarget) ──► the forward plan (server_transitions.h) on the
//        reverse agent, its operations named *_reverse_*; the server's `replication` key drives it
//   restore_to_original = false: before the receiver, ──launch_host──► a new production host (the table's
//        name, flavor, ip) with empty disks shaped like the DR host's; the receiver's replicas are ITS disks,
//        filled by a full sync (nothing to compare with); at the failback it takes over, the old host's agent
//        is uninstalled and the server's host is the new one (the spec's `host` must then name it)
//   reverse_realtime (and cutover = true, the default) ──failback──► failing_back ──► failed_back
//        (DR host fenced and drained, reverse replication stopped, reverse agent and receiver gone,
//        production unfenced)   └──► failback_error (retried)
//   failed_back, both tables removed from the spec ──register──► registering ──► initialized
//        ──shadow_host create (seeded with the DR host's disks) ──dr_host delete ──start_replication (compare
//        first)──► realtime
//   reverse_registering (interrupted), or the reverse agent stopped or gone ──reverse_register──► again
//   [group.server.failback] while not failover_confirmed nor failing back ──► refused, naming both
//   [group.server.failback] removed while failing back ──► refused: put it back
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "reconcile/internal/dr_host_transitions.h"
#include "reconcile/internal/server_transitions.h"
#include "reconcile/plan.h"

namespace cdr::reconcile::internal {

// States a failback has reached (reverse_registering … registering), after which the server's plan is this one.
bool IsFailbackState(std::optional<ServerState> server_state);

// What the spec says about the failback, and the group's zones.
struct FailbackIntent {
  bool declared = false;           // [group.server.failback]
  bool restore_to_original = true;
  bool cutover = true;             // false: reverse replication only, the failback waits
  bool failover_declared = false;  // [group.server.failover] is still there
  bool group_tables = false;       // the group's [group.failover] / [group.failback] declare them
  // restore_to_original = false: the new production host's launch fields, and the host the failback launched
  // (the server record's failback_host; "" until launch_host ran). `state_host` is the record's host.
  std::string new_host;
  std::string new_host_flavor;
  std::string new_host_ip;
  std::string launched_host;
  std::string state_host;
  std::string production_zone;
  std::string dr_zone;
  std::string vpc;
};

// Returns a refusal, or "" when the changes are planned.
std::string PlanFailback(const ServerView& server, const DrHostView& failover, const FailbackIntent& intent,
                         const nlohmann::json& before, const nlohmann::json& after, std::vector<ResourceChange>* out);

}  // namespace cdr::reconcile::internal
