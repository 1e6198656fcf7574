#include <iostream>

#include "cmd/commands.h"
#include "reconcile/open_provider.h"
#include "reconcile/refresh.h"
#include "reconcile/status_report.h"
#include "specs/load_spec.h"

namespace cdr::cmd {
namespace {

// What the agents report now. The spec is only needed to know the provider; without one (or without a
// provider answering) status shows the stored state, and says why on stderr.
std::optional<reconcile::Observed> ObserveLive(const GlobalOptions& g, const std::vector<state::ResourceRecord>& records) {
  std::error_code ec;
  const auto path = SpecPath(g);
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  specs::LoadResult loaded = specs::LoadSpec(path);
  if (!loaded.diagnostics.empty()) {
    std::cerr << "Note: the spec at " << path.string() << " does not load; showing the stored state only.\n";
    return std::nullopt;
  }
  auto provider = reconcile::OpenProvider(loaded.spec.provider);
  if (!provider.ok()) {
    std::cerr << "Note: provider: " << provider.status().message() << "; showing the stored state only.\n";
    return std::nullopt;
  }
  auto observed = reconcile::Refresh(**provider, records, {}, reconcile::HttpAgentConnector());
  if (!observed.ok()) {
    std::cerr << "Note: refresh failed (" << observed.status().ToString() << "); showing the stored state only.\n";
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
  const auto live = ObserveLive(g, records);
  auto groups = reconcile::BuildStatus(records, live ? &*live : nullptr);
  const auto lock = LiveLock(*store);
  if (!lock || lock->operation != "apply") reconcile::MarkInterruptedVerifications(&groups);
  if (json) {
    std::cout << reconcile::StatusToJson(groups).dump(2) << "\n";
  } else {
    std::cout << reconcile::RenderStatusText(groups);
  }
  return kExitOk;
}

}  // namespace cdr::cmd
