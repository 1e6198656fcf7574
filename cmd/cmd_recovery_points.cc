// `cdr recovery-points GROUP/SERVER`: what a drill or failover of the server can be brought up at — the recovery
// points its shadow host keeps (scheduled by the spec's policy) and the window in which any point in time, down to
// a single write, can be restored. Asked of the provider live; the state only says which shadow host to ask.
#include <fmt/format.h>

#include <ctime>
#include <iostream>

#include "cmd/commands.h"
#include "reconcile/address.h"
#include "reconcile/open_provider.h"
#include "specs/load_spec.h"

namespace cdr::cmd {
namespace {

std::string UtcTime(int64_t ns) {
  if (ns <= 0) return "-";
  const std::time_t seconds = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", buf, (ns / 1'000'000) % 1000);
}

std::string Size(uint64_t bytes) {
  if (bytes >= (1ull << 30)) return fmt::format("{:.1f} GiB", bytes / double(1ull << 30));
  if (bytes >= (1ull << 20)) return fmt::format("{:.1f} MiB", bytes / double(1ull << 20));
  if (bytes >= (1ull << 10)) return fmt::format("{:.1f} KiB", bytes / double(1ull << 10));
  return fmt::format("{} B", bytes);
}

}  // namespace

int RunRecoveryPoints(const GlobalOptions& g, const RecoveryPointsOptions& o) {
  const auto slash = o.server.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == o.server.size()) {
    std::cerr << "Error: give the server as GROUP/SERVER (e.g. web-prod/web-1), not \"" << o.server << "\"\n";
    return kExitError;
  }
  const std::string address = reconcile::ServerAddress(o.server.substr(0, slash), o.server.substr(slash + 1));
  if (!StateExistsOrSay(g)) return kExitError;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  auto server = store->Get(address);
  if (!server) {
    std::cerr << "Error: " << o.server << " is not a protected server in the state (" << address << ")\n";
    return kExitError;
  }
  auto shadow = store->Get(reconcile::ShadowHostAddress(address));
  if (!shadow || shadow->provider_id.empty()) {
    std::cerr << "Error: " << o.server << " has no shadow host (" << server->status
              << "): recovery points exist once replication has started; after a confirmed failover they are gone\n";
    return kExitError;
  }
  specs::LoadResult loaded = specs::LoadSpec(SpecPath(g));
  if (!loaded.diagnostics.empty()) {
    std::cerr << "Error: the spec does not load, so the provider is unknown:\n";
    for (const auto& d : loaded.diagnostics) std::cerr << "  " << specs::FormatDiagnostic(d) << "\n";
    return kExitError;
  }
  auto provider = reconcile::OpenProvider(loaded.spec.provider);
  if (!provider.ok()) {
    std::cerr << "Error: provider: " << provider.status().message() << "\n";
    return kExitError;
  }
  auto points = (*provider)->ListRecoveryPoints(shadow->provider_id, server->attributes.value("host", ""));
  if (!points.ok()) {
    std::cerr << "Error: " << points.status().ToString() << "\n";
    return kExitError;
  }
  const nlohmann::json policy = shadow->attributes.value("recovery_points", nlohmann::json::object());
  if (o.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : points->points) {
      list.push_back({{"id", p.id}, {"time", UtcTime(p.time_ns)}, {"time_ns", p.time_ns}, {"kind", p.kind},
                      {"bytes", p.bytes}});
    }
    std::cout << nlohmann::json{{"server", address},
                                {"shadow_host_id", shadow->provider_id},
                                {"policy", policy},
                                {"points", list},
                                {"window", {{"start", UtcTime(points->window_start_ns)},
                                            {"end", UtcTime(points->window_end_ns)},
                                            {"start_ns", points->window_start_ns},
                                            {"end_ns", points->window_end_ns}}},
                                {"history_bytes", points->history_bytes}}
                     .dump(2)
              << "\n";
    return kExitOk;
  }
  std::cout << fmt::format("Recovery points of {} (shadow host {}, a point every {} s, keep {}):\n", o.server,
                           shadow->provider_id, policy.value("every_seconds", 0), policy.value("keep", 0));
  if (points->points.empty()) {
    std::cout << "  (none yet)\n";
  } else {
    std::cout << fmt::format("  {:<24} {:<25} {:<10} {:>10}\n", "ID", "TIME (UTC)", "KIND", "SIZE");
    for (const auto& p : points->points) {
      std::cout << fmt::format("  {:<24} {:<25} {:<10} {:>10}\n", p.id, UtcTime(p.time_ns), p.kind, Size(p.bytes));
    }
  }
  if (points->window_end_ns > 0) {
    std::cout << fmt::format("Any point in time from {} to {} can be restored (recovery_point = an RFC 3339 time).\n",
                             UtcTime(points->window_start_ns), UtcTime(points->window_end_ns));
  } else {
    std::cout << "No history yet: the first full sync has not finished.\n";
  }
  std::cout << fmt::format("History on the shadow host: {}.\n", Size(points->history_bytes));
  return kExitOk;
}

}  // namespace cdr::cmd
