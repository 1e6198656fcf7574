// The line a rendered plan gives each change ("# group.web.server.web-1 will be registered again"): one table
// of (kind, operation, action, condition) → words, read top-down, the first matching row wins.
#pragma once

#include <string>

#include "reconcile/plan.h"

namespace cdr::reconcile {

std::string PlanHeadline(const ResourceChange& c);

}  // namespace cdr::reconcile
