// `cdr show [PLANFILE]`: what a saved plan will do, read back without a refresh or the lock (a reviewer or a CI
// summary bot reads it), or, without a file, every resource the state records.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cmd/commands.h"
#include "reconcile/plan_file.h"
#include "reconcile/plan_json.h"
#include "reconcile/plan_render.h"

namespace cdr::cmd {

int RunShow(const GlobalOptions& g, const std::string& plan_file, bool json) {
  if (plan_file.empty()) {
    StateResourcesOptions all;
    all.json = json;
    if (json) return RunStateList(g, all);
    if (!StateExistsOrSay(g)) return kExitOk;
    auto store = OpenStateOrReport(g);
    if (!store) return kExitError;
    for (const auto& r : store->Resources()) {
      std::cout << "# " << r.address << ":\n  kind        = " << state::ResourceKindName(r.kind)
                << "\n  status      = " << r.status
                << "\n  provider_id = " << (r.provider_id.empty() ? "(none)" : r.provider_id)
                << "\n  attributes  = " << r.attributes.dump() << "\n\n";
    }
    return kExitOk;
  }
  auto plan = reconcile::LoadPlanFile(plan_file);
  if (!plan.ok()) {
    PrintError("plan " + plan_file + ": " + plan.status().message());
    return kExitError;
  }
  if (json) {
    std::cout << reconcile::PlanToJson(*plan).dump(2) << "\n";
  } else {
    std::cout << reconcile::RenderPlan(*plan, {StdoutIsTerminal()});
  }
  return kExitOk;
}

}  // namespace cdr::cmd
