#include "reconcile/plan.h"

namespace cdr::reconcile {

PlanSummary Summarize(const Plan& plan) {
  PlanSummary s;
  for (const auto& c : plan.changes) {
    switch (c.action) {
      case Action::kCreate: ++s.add; break;
      case Action::kUpdate: ++s.change; break;
      case Action::kDelete: ++s.destroy; break;
      case Action::kReplace: ++s.add, ++s.destroy; break;
      case Action::kTransition: ++s.transition; break;
      case Action::kNoOp: break;
    }
  }
  return s;
}

}  // namespace cdr::reconcile
