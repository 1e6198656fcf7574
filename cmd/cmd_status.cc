#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "cmd/commands.h"
#include "cmd/live_status.h"
#include "common/clock.h"

namespace cdr::cmd {
namespace {

std::atomic<bool> interrupted{false};

void OnInterrupt(int) { interrupted = true; }

// Sleeps up to `seconds`, waking early on Ctrl-C.
void SleepUnlessInterrupted(int seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!interrupted && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

int WatchStatus(const GlobalOptions& g, const StatusOptions& o, state::StateStore& store) {
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // Clearing the screen is for a person watching; a pipe (or a test) gets the frames one after another.
  const bool terminal = ::isatty(STDOUT_FILENO) != 0;
  for (int round = 0; !interrupted && (o.count <= 0 || round < o.count); ++round) {
    if (round > 0) SleepUnlessInterrupted(o.interval_seconds);
    if (interrupted) break;
    const LiveStatus status = ObserveStatus(g, store);
    if (terminal) std::cout << "\x1b[H\x1b[2J";
    std::cout << "Every " << o.interval_seconds << "s: cdr status    " << FormatRfc3339(NowUnixMillis())
              << "\n\n"
              << RenderLiveStatusText(status) << std::flush;
  }
  return kExitOk;
}

}  // namespace

int RunStatus(const GlobalOptions& g, const StatusOptions& o) {
  if (!StateExistsOrSay(g)) return kExitOk;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  if (o.watch) return WatchStatus(g, o, *store);
  const LiveStatus status = ObserveStatus(g, *store);
  if (o.json) {
    nlohmann::json out = reconcile::StatusToJson(status.groups);
    out["live"] = status.live;
    if (!status.live) out["not_live_reason"] = status.not_live_reason;
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << RenderLiveStatusText(status);
  return kExitOk;
}

}  // namespace cdr::cmd
