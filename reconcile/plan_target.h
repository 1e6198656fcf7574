// -target=ADDRESS: a plan narrowed to some resources, as Terraform's resource targeting. A target covers its
// address and everything under it ("group.web" covers its servers); a change outside the targets is kept only
// when a targeted change needs it first — the creation of the group, its peering and its endpoint for a server of
// that group. For recovering from a mistake or an outage, not for everyday use: the plan says so.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "reconcile/plan.h"

namespace cdr::reconcile {

// InvalidArgument when an address is not a resource address ("group.NAME[.…]").
Status CheckTargets(const std::vector<std::string>& targets);

// Keeps the changes the targets cover and what those need; records the targets in the plan. Drift is kept whole
// (it is information, not action).
void NarrowToTargets(const std::vector<std::string>& targets, Plan* plan);

}  // namespace cdr::reconcile
