// The agent's Prometheus metrics (text exposition format 0.0.4), one series per disk labelled
// {group="…",server="…",server_id="…",disk="…"}: cdr's group and server names (given with the last start, empty
// before it) join them with the other exporters'; server_id is the host's id. The state is exported the kube-state-metrics way: one cdr_replication_state series
// per known state with value 1 for the current one, so alerts can match on a label instead of parsing
// strings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/replication_control.h"

namespace cdr::agent::api {

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// The per-disk states of agent/replication_control.h; a state outside this list is still exported (value 1).
const std::vector<std::string>& KnownReplicationStates();

std::string RenderPrometheusMetrics(const AgentStatus& status);

}  // namespace cdr::agent::api
