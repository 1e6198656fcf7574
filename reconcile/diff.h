// Diff: desired (spec) vs state vs observed (refresh) → the changes of a Plan, in execution order:
//   1. group renames (the state moves first so every later address is the new one)
//   2. servers leaving the spec are deregistered
//   3. per group: the group, its peering, its endpoint, its servers (create, update, replace, transition)
//   4. groups leaving the spec: endpoint, peering, then the group
// A change the rules forbid (deregister mid-step, delete a group that still has servers, a host that breaks
// a rule) is an error naming the spec position, and no plan is made.
#pragma once

#include <vector>

#include "reconcile/plan.h"
#include "reconcile/refresh.h"
#include "specs/spec.h"
#include "state/state_store.h"

namespace cdr::reconcile {

struct DiffResult {
  std::vector<ResourceChange> changes;
  std::vector<DriftedResource> drifted;
  std::vector<specs::Diagnostic> errors;  // non-empty: the plan must not be applied
};

DiffResult Diff(const specs::Spec& spec, const std::vector<state::ResourceRecord>& records,
                const Observed& observed);

}  // namespace cdr::reconcile
