// One observation round of the whole estate by `cdr serve`: what `cdr status` would print right now, plus the
// recovery points of each server with a shadow host. Everything the console shows comes from the newest one,
// except the RPO chart, which reads the samples kept in the state store.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reconcile/status_report.h"
#include "state/state_store.h"

namespace cdr::console {

struct EstateSnapshot {
  std::vector<reconcile::GroupStatus> groups;
  bool live = false;
  std::string not_live_reason;
  int64_t observed_at_ms = 0;
  double refresh_seconds = 0;  // how long the round took
  std::vector<state::Job> jobs;  // newest first
  // By server address: {"points": [...], "window_start_ns", "window_end_ns", "history_bytes"} or {"error": …}.
  std::map<std::string, nlohmann::json> recovery_points;
};

}  // namespace cdr::console
