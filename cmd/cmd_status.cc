#include <iostream>

#include "cmd/commands.h"
#include "common/clock.h"
#include "reconcile/open_provider.h"
#include "reconcile/refresh.h"
#include "reconcile/status_report.h"

namespace cdr::cmd {
namespace {

// What the agents report now. The spec (from the working tree, or the commit with --git) names the provider;
// without it nothing can be asked, and status says so loudly: every server is then shown as stored, with
// health `unknown`.
std::optional<reconcile::Observed> ObserveLive(const GlobalOptions& g, const std::vector<state::ResourceRecord>& records,
                                               std::string* why_not) {
  std::optional<LoadedSpec> loaded = LoadSpecOrReport(g);
  if (!loaded) {
    *why_not = "no spec could be loaded to know the provider (see above)";
    return std::nullopt;
  }
  auto provider = reconcile::OpenProvider(loaded->spec.provider);
  if (!provider.ok()) {
    *why_not = "provider: " + provider.status().message();
    return std::nullopt;
  }
  auto observed = reconcile::Refresh(**provider, records, {}, reconcile::HttpAgentConnector());
  if (!observed.ok()) {
    *why_not = "refresh failed: " + observed.status().ToString();
    return std::nullopt;
  }
  return std::move(*observed);
}

}  // namespace

int RunStatus(const GlobalOptions& g, bool json) {
  if (!StateExistsOrSay(g)) return kExitOk;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  const auto records = store->Resources();
  std::string why_not;
  const auto live = ObserveLive(g, records, &why_not);
  auto groups = reconcile::BuildStatus(records, live ? &*live : nullptr, NowUnixMillis());
  const auto lock = LiveLock(*store);
  if (!lock || lock->operation != "apply") reconcile::MarkInterruptedVerifications(&groups);
  if (json) {
    nlohmann::json out = reconcile::StatusToJson(groups);
    out["live"] = live.has_value();
    if (!live) out["not_live_reason"] = why_not;
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  if (!live) {
    std::cout << "NOT LIVE: " << why_not << ".\nEvery value below is the state stored at the last plan or apply; "
                 "health is unknown where it cannot be observed now.\n\n";
  }
  std::cout << reconcile::RenderStatusText(groups);
  return kExitOk;
}

}  // namespace cdr::cmd
