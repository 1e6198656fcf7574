#include <iostream>

#include "cmd/commands.h"
#include "cmd/plan_session.h"
#include "reconcile/plan_file.h"
#include "reconcile/plan_json.h"
#include "reconcile/plan_render.h"

namespace cdr::cmd {

// `cdr plan` reads the spec, the state and the estate and writes nothing but its output (and -out FILE): the
// state's bytes are the same after it (tests/e2e/plan_json_e2e_test.cc).
int RunPlan(const GlobalOptions& g, const PlanOptions& o) {
  const auto mode = PlanModeFromFlags(o.refresh, o.refresh_only);
  if (!mode) return kExitError;
  if (*mode == reconcile::PlanMode::kRefreshOnly && !o.out.empty()) {
    PrintError("a -refresh-only plan cannot be saved: what the agents report changes by the minute. Run "
               "`cdr apply -refresh-only` to record it");
    return kExitError;
  }
  auto session = PlanSession::Open(g, state::LockOperation::kPlan, StateAccess::kRead);
  if (!session) return kExitError;
  auto made = session->MakePlan(g, {o.targets, *mode});
  if (!made) return kExitError;
  const reconcile::Plan& plan = made->plan;
  // An errored plan is printed for the tools that read it (errored: true), never saved.
  if (o.json) std::cout << reconcile::PlanToJson(plan).dump(2) << "\n";
  if (!plan.errors.empty()) return kExitError;
  if (!o.out.empty()) {
    Status saved = reconcile::SavePlanFile(o.out, plan);
    if (!saved.ok()) {
      PrintError("cannot save the plan: " + saved.message());
      return kExitError;
    }
  }
  if (!o.json) {
    std::cout << reconcile::RenderPlan(plan, {StdoutIsTerminal()});
    if (!o.out.empty()) {
      std::cout << "\nSaved the plan to: " << o.out << "\nTo perform exactly these actions, run:\n    cdr apply "
                << o.out << "\n";
    }
  }
  // With -refresh-only the "changes" are what changed outside cdr (Plan::Applyable).
  return o.detailed_exitcode && plan.Applyable() ? kExitChanges : kExitOk;
}

}  // namespace cdr::cmd
