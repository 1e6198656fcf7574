#include "cmd/live_status.h"

#include "common/clock.h"
#include "reconcile/open_provider.h"
#include "reconcile/refresh.h"
#include "state/lock_operation.h"

namespace cdr::cmd {

// The spec (from the working tree, or the commit with --git) names the provider; without it nothing can be
// asked, and the status says so loudly: every server is then shown as stored, with health `unknown`.
LiveStatus ObserveStatus(const GlobalOptions& g, state::StateStore& store,
                         std::unique_ptr<providers::ResourceProvider>* provider_out) {
  LiveStatus out;
  const auto records = store.Resources();
  std::optional<reconcile::Observed> observed;
  if (std::optional<LoadedSpec> loaded = LoadSpecOrReport(g); !loaded) {
    out.not_live_reason = "no spec could be loaded to know the provider (see above)";
  } else if (auto provider = reconcile::OpenProvider(loaded->spec.provider); !provider.ok()) {
    out.not_live_reason = "provider: " + provider.status().message();
  } else if (auto refreshed = reconcile::Refresh(**provider, records, {}, reconcile::HttpAgentConnector());
             !refreshed.ok()) {
    out.not_live_reason = "refresh failed: " + refreshed.status().ToString();
  } else {
    observed = std::move(*refreshed);
    if (provider_out) *provider_out = std::move(*provider);
  }
  out.live = observed.has_value();
  out.groups = reconcile::BuildStatus(records, observed ? &*observed : nullptr, NowUnixMillis());
  const auto lock = LiveLock(store);
  if (!lock || state::ParseLockOperation(lock->operation) != state::LockOperation::kApply)
    reconcile::MarkInterruptedVerifications(&out.groups);
  return out;
}

std::string RenderLiveStatusText(const LiveStatus& status) {
  std::string text;
  if (!status.live) {
    text = "NOT LIVE: " + status.not_live_reason +
           ".\nEvery value below is the state stored at the last plan or apply; health is unknown where it "
           "cannot be observed now.\n\n";
  }
  return text + reconcile::RenderStatusText(status.groups);
}

}  // namespace cdr::cmd
