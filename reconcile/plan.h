// A Plan is a plain value: what apply will do, in the order it will do it. It prints (plan_render.h), saves
// (plan_file.h) and compares in tests. Apply is driven only by `changes`; `reason` is for people.
//
// Before/After per action (attribute objects as stored in the state's `attributes` column):
//   create      before = null            after = desired attributes
//   update      before = state           after = desired (only changed keys differ)
//   delete      before = state           after = null
//   replace     before = state           after = desired; `replace_because` names the keys forcing it
//   transition  before = state           after = desired attributes; `operation` names the step
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "reconcile/action.h"
#include "reconcile/operation.h"
#include "reconcile/resource_kind.h"

namespace cdr::reconcile {

// How the plan saw the estate (Terraform's plan modes): kNormal refreshes, then diffs; kNoRefresh (-refresh=false)
// diffs the state as recorded; kRefreshOnly (-refresh-only) holds only what changed outside cdr.
enum class PlanMode { kNormal, kNoRefresh, kRefreshOnly };

struct ResourceChange {
  std::string address;  // "group.web-prod.server.web-1"
  ResourceKind kind = ResourceKind::kGroup;
  Action action = Action::kNoOp;
  Operation operation =
      Operation::kCreate;        // what apply does: create, register, rename, deregister, delete, …
  std::string previous_address;  // for a rename: the address in the state before it
  nlohmann::json before;         // null when absent
  nlohmann::json after;          // null when absent
  std::vector<std::string> replace_because;
  std::string reason;
};

// A change that neither renames nor replaces (most of them): where, what, how, the values on both sides and
// why.
ResourceChange MakeChange(std::string address, ResourceKind kind, Action action, Operation operation,
                          nlohmann::json before, nlohmann::json after, std::string reason);

// Something observed that differs from the state, found by refresh (a resource deleted outside cdr, …).
struct DriftedResource {
  std::string address;
  std::optional<ResourceKind> kind;  // none only for a drift report's spec error outside any resource
  std::string problem;  // short code: DriftProblemName (drift_problem.h), or a drift report's own
  std::string detail;   // a sentence for people: what differs and why it matters
  // The values seen of the attributes that differ, when known key by key ("settings_changed": what the agent
  // reports); null otherwise.
  nlohmann::json observed;
};

// A resource as the state records it when the plan is made, after refresh (Terraform's prior_state). `values` are
// its attributes without the agents' observations (observed_state.h), so an unchanged estate plans identically.
struct PriorResource {
  std::string address;
  ResourceKind kind = ResourceKind::kGroup;
  std::string status;
  std::string provider_id;
  nlohmann::json values;
};

struct Plan {
  int64_t state_serial = 0;  // the state the plan was made against
  std::string spec_digest;
  std::string git_commit;  // the commit the spec was read from (--git), or HEAD of the repo holding the spec
  bool git_dirty = false;  // the working-tree spec has uncommitted edits
  // Set when the spec was read from git (`cdr plan --git`): `apply FILE` reads the same commit again.
  std::string git_repository;
  std::string git_ref;
  std::string git_path;
  int64_t created_at = 0;
  PlanMode mode = PlanMode::kNormal;
  std::vector<std::string> targets;     // -target addresses the plan was narrowed to (plan_target.h); empty: all
  std::vector<ResourceChange> changes;  // in execution order; never holds kNoOp
  std::vector<DriftedResource> drifted;
  std::vector<PriorResource> prior;  // every resource in the state, in the state's order
  std::vector<std::string> errors;   // plan-time rule violations, as text: an errored plan is never applied

  bool HasChanges() const { return !changes.empty(); }
  // Terraform's `applyable`: apply would do something (record the refreshed observations, for -refresh-only).
  bool Applyable() const;
};

struct PlanSummary {
  int add = 0;
  int change = 0;
  int destroy = 0;
  int transition = 0;
};
// A replace counts as one add and one destroy, as in Terraform.
PlanSummary Summarize(const Plan& plan);

const char* PlanModeName(PlanMode mode);  // "normal", "refresh_only", "no_refresh"
std::optional<PlanMode> ParsePlanMode(const std::string& name);

}  // namespace cdr::reconcile
