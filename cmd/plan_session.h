// The steps `plan`, `apply` and `drift` share: spec, state, provider and lock opened in that order, and the one
// place a command makes a plan (reconcile::MakePlan, then -target, then the spec's git origin).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cmd/cli_context.h"
#include "reconcile/planner.h"

namespace cdr::cmd {

// How a command uses the state: kRead (plan, drift) never writes it, so it does not take the lock either; it only
// waits, within -lock-timeout, while another live process holds it. kWrite (apply) holds the lock.
enum class StateAccess { kRead, kWrite };

struct PlanFlags {
  std::vector<std::string> targets;  // -target addresses (reconcile/plan_target.h); empty plans everything
  reconcile::PlanMode mode = reconcile::PlanMode::kNormal;
};

// -refresh=false and -refresh-only as a plan mode; nullopt (after saying why) when both are given.
std::optional<reconcile::PlanMode> PlanModeFromFlags(bool refresh, bool refresh_only);

struct PlanSession {
  LoadedSpec loaded;
  std::unique_ptr<state::StateStore> store;
  std::unique_ptr<providers::ResourceProvider> provider;
  std::optional<ScopedLock> lock;

  // Prints what went wrong and returns nullopt when any part cannot be opened or the lock is held. With a saved
  // plan made from git (`plan --git … -out`), the spec is read from the commit the plan was made from.
  static std::optional<PlanSession> Open(const GlobalOptions& g, state::LockOperation operation,
                                         StateAccess access, const reconcile::Plan* saved = nullptr);
  // Refresh + diff. nullopt (after saying why) when the plan cannot be made at all; a plan that breaks plan-time
  // rules is returned with plan.errors set (and the diagnostics printed on stderr): it must not be applied.
  std::optional<reconcile::PlanResult> MakePlan(const GlobalOptions& g, const PlanFlags& flags);
  // kWrite only: what refresh observed of the agents, written into the state (reconcile::RecordObserved).
  bool RecordObservations(const reconcile::PlanResult& made);
};

}  // namespace cdr::cmd
