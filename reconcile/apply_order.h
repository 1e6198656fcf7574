// Which earlier steps of a plan each step waits for, so apply runs independent steps concurrently and keeps
// the plan's order wherever it matters (Terraform's graph walk, with the plan's order as the graph).
//
// A step touches resources:
//   group-level (group, peering, endpoint)   the whole group: group.NAME and everything under it
//   a server's (server, shadow host, DR hosts) that server, and the host it is (or was) registered on
//   a rename                                 its previous address as well
// Two steps conflict when what they touch overlaps; a step waits for every earlier step it conflicts with. So
// a group's network comes before its servers, a server's shadow host before its replication, a server leaving
// a host before another registers there, and a group's removal after its servers' deregistrations, while the
// steps of different servers, or of different groups, run side by side.
#pragma once

#include <cstddef>
#include <vector>

#include "reconcile/plan.h"

namespace cdr::reconcile {

// For each change, the indices of the earlier changes it waits for (ascending).
std::vector<std::vector<size_t>> StepDependencies(const std::vector<ResourceChange>& changes);

}  // namespace cdr::reconcile
