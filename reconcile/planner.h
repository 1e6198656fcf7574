// Making a plan: refresh → diff → a Plan value stamped with the state serial and the spec digest.
#pragma once

#include <vector>

#include "common/status.h"
#include "providers/provider.h"
#include "reconcile/agent_connector.h"
#include "reconcile/plan.h"
#include "specs/spec.h"
#include "state/state_store.h"

namespace cdr::reconcile {

struct PlanResult {
  Plan plan;
  std::vector<specs::Diagnostic> errors;  // plan-time rule violations; the plan must not be applied
};

// Fails only when the provider cannot be asked (refresh error). With a connector the agents are asked too and
// what they report is written to the state first (observed_state.h), so the plan starts from the real states;
// the caller must hold the state lock then.
Result<PlanResult> MakePlan(const specs::Spec& spec, state::StateStore& store, providers::Provider& provider,
                            const AgentConnector& connect = {});

}  // namespace cdr::reconcile
