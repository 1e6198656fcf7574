#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cmd/commands.h"
#include "cmd/live_status.h"
#include "common/secret_file.h"
#include "console/console_server.h"
#include "providers/types/recovery_points.h"

namespace cdr::cmd {
namespace {

nlohmann::json RecoveryPointsJson(const providers::RecoveryPoints& rp) {
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : rp.points) {
    points.push_back({{"id", p.id}, {"time_ns", p.time_ns}, {"kind", p.kind}, {"bytes", p.bytes}});
  }
  return {{"points", points},
          {"window_start_ns", rp.window_start_ns},
          {"window_end_ns", rp.window_end_ns},
          {"history_bytes", rp.history_bytes}};
}

// One round: `cdr status`'s observation, the task list, and the recovery points of every server with a shadow
// host (asked of the provider the spec names; none when it could not be opened).
console::EstateSnapshot ObserveEstate(const GlobalOptions& g, state::StateStore& store) {
  std::unique_ptr<providers::ResourceProvider> provider;
  LiveStatus status = ObserveStatus(g, store, &provider);
  console::EstateSnapshot snapshot;
  snapshot.live = status.live;
  snapshot.not_live_reason = status.not_live_reason;
  snapshot.jobs = store.Jobs(50);
  for (const auto& group : status.groups) {
    for (const auto& s : group.servers) {
      if (s.shadow_host_id.empty()) continue;
      if (!provider) {
        snapshot.recovery_points[s.address] = {{"error", "not live: " + status.not_live_reason}};
        continue;
      }
      auto points = providers::types::ListRecoveryPoints(*provider, s.shadow_host_id, s.host);
      snapshot.recovery_points[s.address] =
          points.ok() ? RecoveryPointsJson(*points) : nlohmann::json{{"error", points.status().ToString()}};
    }
  }
  snapshot.groups = std::move(status.groups);
  return snapshot;
}

// Beside the state file (the estate's other secrets' neighbour, kept by the same operator); for a state on
// PostgreSQL, in .cdr/.
std::filesystem::path TokenFile(const GlobalOptions& g, const ServeOptions& o) {
  if (!o.token_file.empty()) return o.token_file;
  const bool is_url = g.state_path.find("://") != std::string::npos;
  const std::filesystem::path dir = is_url ? std::filesystem::path(".cdr") : std::filesystem::path(g.state_path).parent_path();
  return (dir.empty() ? std::filesystem::path(".") : dir) / "console-token";
}

}  // namespace

int RunServe(const GlobalOptions& g, const ServeOptions& o) {
  if (!StateExistsOrSay(g)) return kExitError;
  // Two connections: the observation rounds and the RPO samples are used from different threads.
  auto observe_store = OpenStateOrReport(g);
  auto samples_store = OpenStateOrReport(g);
  if (!observe_store || !samples_store) return kExitError;
  // Blocked before the console starts its threads, so they inherit the mask and only sigwait sees the signals.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const std::filesystem::path token_file = TokenFile(g, o);
  std::error_code ec;
  std::filesystem::create_directories(token_file.parent_path().empty() ? "." : token_file.parent_path(), ec);
  Result<std::string> token = LoadOrCreateSecretFile(token_file);
  if (!token.ok()) {
    std::cerr << "cdr serve: token file " << token_file.string() << ": " << token.status().ToString() << "\n";
    return kExitError;
  }
  console::ConsoleServer server({o.listen, *token, o.interval_seconds, o.retention_hours},
                                [&] { return ObserveEstate(g, *observe_store); }, samples_store.get());
  if (Status s = server.Start(); !s.ok()) {
    std::cerr << "cdr serve: " << s.ToString() << "\n";
    return kExitError;
  }
  std::cout << "console on http://" << server.address() << "/ (metrics at /metrics), observing every "
            << o.interval_seconds << " s; the token is in " << token_file.string()
            << " (a browser: any user name, the token as password; Prometheus: bearer token)" << std::endl;
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cout << "stopping on signal " << signal_number << std::endl;
  server.Stop();
  return kExitOk;
}

}  // namespace cdr::cmd
