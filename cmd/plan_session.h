// The steps `plan`, `apply` and `drift` share: spec, state, provider and lock opened in that order.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cmd/cli_context.h"
#include "reconcile/planner.h"

namespace cdr::cmd {

struct PlanSession {
  LoadedSpec loaded;
  std::unique_ptr<state::StateStore> store;
  std::unique_ptr<providers::Provider> provider;
  std::optional<ScopedLock> lock;

  // Prints what went wrong and returns nullopt when any part cannot be opened or the lock is held.
  static std::optional<PlanSession> Open(const GlobalOptions& g, const std::string& operation);
  // Refresh + diff; prints plan-time errors and returns nullopt on any.
  // `targets`: -target addresses (reconcile/plan_target.h); empty plans everything.
  std::optional<reconcile::Plan> MakePlan(const GlobalOptions& g, const std::vector<std::string>& targets = {});
};

}  // namespace cdr::cmd
