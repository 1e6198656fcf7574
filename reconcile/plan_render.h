// Plan as text, the way Terraform prints one: a block per change with +, ~, -, -/+ or > and a summary line.
#pragma once

#include <string>

#include "reconcile/plan.h"

namespace cdr::reconcile {

struct RenderOptions {
  bool color = false;  // ANSI colors, for a terminal
};

std::string RenderPlan(const Plan& plan, const RenderOptions& options = {});
// "Plan: 2 to add, 1 to change, 0 to destroy, 1 state transition."
std::string RenderSummaryLine(const Plan& plan);
// The drift section alone (also used by `cdr drift`).
std::string RenderDrift(const Plan& plan, const RenderOptions& options = {});

}  // namespace cdr::reconcile
