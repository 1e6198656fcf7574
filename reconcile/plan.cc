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

bool Plan::Applyable() const {
  if (!errors.empty()) return false;
  return mode == PlanMode::kRefreshOnly ? !drifted.empty() : HasChanges();
}

namespace {
struct ModeName {
  PlanMode mode;
  const char* name;
};
constexpr ModeName kModeNames[] = {
    {PlanMode::kNormal, "normal"}, {PlanMode::kNoRefresh, "no_refresh"}, {PlanMode::kRefreshOnly, "refresh_only"}};
}  // namespace

const char* PlanModeName(PlanMode mode) {
  for (const auto& m : kModeNames) {
    if (m.mode == mode) return m.name;
  }
  return "normal";
}

std::optional<PlanMode> ParsePlanMode(const std::string& name) {
  for (const auto& m : kModeNames) {
    if (name == m.name) return m.mode;
  }
  return std::nullopt;
}

ResourceChange MakeChange(std::string address, ResourceKind kind, Action action, Operation operation,
                          nlohmann::json before, nlohmann::json after, std::string reason) {
  return {std::move(address), kind, action,           operation, "", std::move(before),
          std::move(after),   {},   std::move(reason)};
}

}  // namespace cdr::reconcile
