#include <iostream>

#include "cmd/commands.h"
#include "cmd/plan_session.h"
#include "reconcile/plan_file.h"
#include "reconcile/plan_json.h"
#include "reconcile/plan_render.h"

namespace cdr::cmd {

int RunPlan(const GlobalOptions& g, const PlanOptions& o) {
  auto session = PlanSession::Open(g, "plan");
  if (!session) return kExitError;
  auto plan = session->MakePlan(g, o.targets);
  if (!plan) return kExitError;
  if (!o.out.empty()) {
    Status saved = reconcile::SavePlanFile(o.out, *plan);
    if (!saved.ok()) {
      PrintError("cannot save the plan: " + saved.message());
      return kExitError;
    }
  }
  if (o.json) {
    std::cout << reconcile::PlanToJson(*plan).dump(2) << "\n";
  } else {
    std::cout << reconcile::RenderPlan(*plan, {StdoutIsTerminal()});
    if (!o.out.empty()) {
      std::cout << "\nSaved the plan to: " << o.out << "\nTo perform exactly these actions, run:\n    cdr apply "
                << o.out << "\n";
    }
  }
  return o.detailed_exitcode && plan->HasChanges() ? kExitChanges : kExitOk;
}

}  // namespace cdr::cmd
