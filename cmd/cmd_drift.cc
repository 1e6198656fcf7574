#include <iostream>

#include "cmd/commands.h"
#include "cmd/plan_session.h"
#include "reconcile/drift_report.h"
#include "reconcile/plan_render.h"

namespace cdr::cmd {

int RunDrift(const GlobalOptions& g, const DriftOptions& o) {
  auto session = PlanSession::Open(g, "drift");
  if (!session) return kExitError;
  auto plan = reconcile::MakeRefreshOnlyPlan(session->loaded.spec, *session->store, *session->provider);
  if (!plan.ok()) {
    PrintError("refresh failed: " + plan.status().ToString());
    return kExitError;
  }
  int checked = 0;  // groups are cdr's own records: nothing in the provider to compare them with
  for (const auto& r : session->store->Resources()) checked += r.kind == "group" ? 0 : 1;
  if (o.json) {
    std::cout << reconcile::DriftToJson(*plan, checked).dump(2) << "\n";
  } else if (o.markdown) {
    std::cout << reconcile::RenderDriftMarkdown(*plan, checked);
  } else if (plan->drifted.empty()) {
    std::cout << "No drift: all " << checked << " resources in the state exist as recorded.\n";
  } else {
    std::cout << reconcile::RenderDrift(*plan) << plan->drifted.size()
              << " resource(s) drifted. `cdr plan` shows how apply would repair them.\n";
  }
  return plan->drifted.empty() ? kExitOk : kExitChanges;
}

}  // namespace cdr::cmd
