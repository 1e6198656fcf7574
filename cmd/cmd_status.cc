#include <iostream>

#include "cmd/commands.h"
#include "reconcile/status_report.h"

namespace cdr::cmd {

int RunStatus(const GlobalOptions& g, bool json) {
  if (!StateExistsOrSay(g)) return kExitOk;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  auto groups = reconcile::BuildStatus(store->Resources());
  if (json) {
    std::cout << reconcile::StatusToJson(groups).dump(2) << "\n";
  } else {
    std::cout << reconcile::RenderStatusText(groups);
  }
  return kExitOk;
}

}  // namespace cdr::cmd
