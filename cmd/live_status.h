// The status of every server as `cdr status` shows it: the state store overlaid with what the agents report
// now (reconcile::Refresh + reconcile::BuildStatus). Shared by `cdr status`, `status --watch` and `cdr serve`,
// so all three say the same, and none calls a server healthy without a live answer.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cmd/cli_context.h"
#include "providers/resource_provider.h"
#include "reconcile/status_report.h"
#include "state/state_store.h"

namespace cdr::cmd {

struct LiveStatus {
  std::vector<reconcile::GroupStatus> groups;
  bool live = false;
  std::string not_live_reason;  // why the agents could not be asked, when !live
};

// `provider` receives the provider the spec names (for further questions); untouched when none could be opened.
LiveStatus ObserveStatus(const GlobalOptions& g, state::StateStore& store,
                         std::unique_ptr<providers::ResourceProvider>* provider = nullptr);

// The text of `cdr status`: the NOT LIVE banner when it applies, then the group overview.
std::string RenderLiveStatusText(const LiveStatus& status);

}  // namespace cdr::cmd
