// Making a plan: refresh → diff → a Plan value stamped with the state serial and the spec digest.
// A plan is computed, not recorded: it reads the state and never writes it. What refresh observes of the agents
// is merged into a copy of the records (PlanResult::refreshed); `cdr apply` writes that copy (RecordObserved)
// when it acts, `cdr plan` and `cdr drift` only show it.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "providers/resource_provider.h"
#include "reconcile/agent_connector.h"
#include "reconcile/observed_state.h"
#include "reconcile/plan.h"
#include "specs/spec.h"
#include "state/state_store.h"

namespace cdr::reconcile {

struct SpecOrigin {
  std::string git_commit;
  bool git_dirty = false;
  std::string git_repository;  // set only when the spec was read with --git; then ref and path too
  std::string git_ref;
  std::string git_path;
};

struct PlanRequest {
  // Agents are asked only with a connector.
  AgentConnector connect;
  // Mode::kRefreshOnly: the plan holds no changes, only what changed outside cdr (Plan::drifted, including the
  // servers whose agents moved by themselves). Mode::kNoRefresh: the state as recorded; only the facts of the
  // hosts the spec names are read (the plan-time rules need them, as Terraform still reads data sources).
  PlanMode mode = PlanMode::kNormal;
  // -target addresses (plan_target.h); empty plans everything. Checked by the caller (CheckTargets).
  std::vector<std::string> targets;
  // Where the spec came from, stamped on the plan: git_commit, git_dirty, git_repository, git_ref, git_path.
  SpecOrigin origin;
};

struct PlanResult {
  Plan plan;
  std::vector<specs::Diagnostic> errors;  // plan-time rule violations; the plan must not be applied
  std::vector<state::ResourceRecord> refreshed;  // the state's records with the agents' observations merged
  std::vector<ObservedChange> observations;      // what RecordObserved writes to bring the state up to date
};

// Fails only when the provider cannot be asked (refresh error). Never writes the store.
Result<PlanResult> MakePlan(const specs::Spec& spec, state::StateStore& store,
                            providers::ResourceProvider& provider, const PlanRequest& request = {});

}  // namespace cdr::reconcile
