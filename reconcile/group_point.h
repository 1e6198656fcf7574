// The one recovery point a [group.failover] moves every server of its group to (Zerto's VPG checkpoint). The
// loader gives each server the group's choice as written (specs/internal/group_tables.h); the plan resolves it
// here, once per group, and every server's failover is planned at the result by the per-server machinery
// (dr_host_transitions.h):
//
//   a server already brought up for this choice ──► the others follow its point (a failover that stopped
//                                                    mid-way resumes at the same point, never a newer one)
//   "latest"      ──► the newest point id EVERY server has (scheduled points share ids; --take makes group ones)
//   a point id    ──► that id; every server must have it
//   a time        ──► that instant on every server; each one's window must reach back to it
//   a server that cannot reach the point ──► the whole group is refused before anything moves, naming the
//                                            server, its state and what to do
#pragma once

#include <string>
#include <vector>

#include "providers/types/recovery_points.h"
#include "reconcile/refresh.h"
#include "specs/spec.h"
#include "state/state_store.h"

namespace cdr::reconcile {

// Lists the recovery points of every server (with a shadow host) of each group that declares [group.failover]
// into observed->recovery_points. A server whose points cannot be listed is left out: the choice then says it
// has none.
void ObserveGroupPoints(providers::ResourceProvider& provider, const specs::Spec& spec,
                        const std::vector<state::ResourceRecord>& records, Observed* observed);

struct GroupPointMember {
  std::string name;            // the server's
  std::string state;           // its state; "" when not registered
  std::string recorded_point;  // the point its failover DR host was brought up at for this choice; "" when none
  bool needs_point = true;     // false: confirmed or failing back, the choice no longer moves it
  const providers::RecoveryPoints* points = nullptr;  // null when not listed
};

struct GroupPoint {
  std::string point;    // an id, or the time as written: what every server's recovery_point becomes
  std::string refusal;  // non-empty: the group cannot fail over at one point; nothing may move
};

GroupPoint ChooseGroupPoint(const std::string& group, const specs::RecoveryPointChoice& choice,
                            const std::vector<GroupPointMember>& members);

}  // namespace cdr::reconcile
