// Apply: walks a Plan's changes in order. Every step is a job in the state store; every state change is written
// before the provider call (status "creating", "agent_installing", "deregistering", …) and after it, so an apply
// killed anywhere leaves a state from which the next plan resumes without duplicate resources.
// When a step of a group fails, the later steps of that group are skipped; other groups go on.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "providers/provider.h"
#include "reconcile/plan.h"
#include "state/state_store.h"

namespace cdr::reconcile {

struct ApplyOptions {
  std::string lock_id;  // renewed between steps so a long apply keeps its lock
  int64_t lock_ttl_millis = 10 * 60 * 1000;
  // One human-readable line per step start and end ("group.web: Creating...").
  std::function<void(const std::string&)> report = [](const std::string&) {};
};

struct StepOutcome {
  std::string address;
  std::string operation;
  bool ok = false;
  bool skipped = false;
  std::string error;
  double seconds = 0;
};

struct ApplyResult {
  std::vector<StepOutcome> steps;
  int Failed() const;
  int Succeeded() const;
};

ApplyResult Apply(const Plan& plan, state::StateStore& store, providers::Provider& provider,
                  const ApplyOptions& options);

}  // namespace cdr::reconcile
