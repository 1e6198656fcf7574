// `cdr serve`: observes the whole estate every interval (one round = what `cdr status` does, via the observe
// function the command wires in), keeps each server's RPO in the state store with bounded retention, and serves
// over HTTP (agent/api/http_endpoint.h: GET only, bounded) from the newest round:
//
//   GET /                                  the console page (console_page.h)
//   GET /metrics                           Prometheus text for the whole estate (estate_metrics.h)
//   GET /api/status                        `cdr status --json`, plus live, observed_at_ms, refresh_seconds
//   GET /api/rpo?server=ADDRESS[&hours=H]  the server's RPO samples, oldest first
//   GET /api/jobs                          the task list: the newest jobs with status and progress
//   GET /api/recovery-points?server=ADDRESS  the server's recovery points and any-point-in-time window
//
//   Start ──► first round ──► listen ──► round every interval … ──► Stop (ends the rounds, closes the listener)
//
// Nothing served writes: the console only looks. Nothing is served without the token (401; OPTIONS and TRACE
// 405), and the endpoint's limits apply (headers, no bodies, 8 requests at once).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agent/api/http_endpoint.h"
#include "common/status.h"
#include "console/estate_snapshot.h"
#include "state/state_store.h"

namespace cdr::console {

struct ConsoleOptions {
  std::string listen = "127.0.0.1:8080";
  // Every request needs it: "Authorization: Bearer TOKEN" (Prometheus, curl), or a browser's Basic login with
  // the token as the password (any user name).
  std::string token;
  int interval_seconds = 15;
  int retention_hours = 24;
};

// Called from the console's own thread, one round at a time.
using ObserveFn = std::function<EstateSnapshot()>;

class ConsoleServer {
 public:
  // `samples` keeps the RPO samples; only the console uses it (its own connection), and it must outlive Stop().
  ConsoleServer(ConsoleOptions options, ObserveFn observe, state::StateStore* samples);
  ~ConsoleServer();

  Status Start();
  void Stop();
  std::string address() const;

 private:
  void Observe();
  void Loop();
  agent::api::ApiResponse Handle(const agent::api::HttpRequest& request);
  agent::api::ApiResponse Rpo(const agent::api::HttpRequest& request);
  std::shared_ptr<const EstateSnapshot> Latest() const;

  const ConsoleOptions options_;
  const ObserveFn observe_;
  state::StateStore* const samples_;
  std::mutex samples_mu_;  // SQLite handles are not to be shared between threads unguarded
  mutable std::mutex mu_;
  std::shared_ptr<const EstateSnapshot> latest_;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread loop_;
  std::unique_ptr<agent::api::HttpEndpoint> endpoint_;
};

}  // namespace cdr::console
