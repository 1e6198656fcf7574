// The line a rendered plan gives each change ("# group.web.server.web-1 will be registered again"): one table
// of (kind, operation, action, condition) → words, read top-down, the first matching row wins.
#pragma once

#include <string>

#include "reconcile/plan.h"

namespace cdr::reconcile {

// `plan` is the whole plan the change is in: some words depend on another change or the prior state (whether a
// start streams to a seeded receiver).
std::string PlanHeadline(const ResourceChange& c, const Plan& plan);

}  // namespace cdr::reconcile
