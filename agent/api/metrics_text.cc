#include "agent/api/metrics_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "common/prometheus_text.h"

namespace cdr::agent::api {
namespace {

struct Family {
  const char* name;
  const char* type;
  const char* help;
  std::function<std::string(const DiskReplicationStatus&)> value;
};

// The exposition format spells the special values the Go way, not as fmt prints them.
std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}
std::string Number(uint64_t v) { return std::to_string(v); }

const std::vector<Family>& ValueFamilies() {
  static const std::vector<Family> families = {
      {"cdr_replication_progress_percent", "gauge",
       "Full sync or repair progress of the disk; 100 in realtime.",
       [](const DiskReplicationStatus& d) { return Number(d.progress_percent); }},
      {"cdr_replication_lag_seconds", "gauge",
       "Age of the oldest write the shadow has not acknowledged (the RPO); 0 when none.",
       [](const DiskReplicationStatus& d) { return Number(d.lag_seconds); }},
      {"cdr_replication_bytes_sent_total", "counter", "Replication wire bytes sent since the agent started.",
       [](const DiskReplicationStatus& d) { return Number(d.bytes_sent); }},
      {"cdr_full_sync_bytes_sent_total", "counter", "Disk bytes sent by full syncs since the agent started.",
       [](const DiskReplicationStatus& d) { return Number(d.full_sync_bytes_sent); }},
      {"cdr_repair_bytes_sent_total", "counter", "Disk bytes sent by repairs since the agent started.",
       [](const DiskReplicationStatus& d) { return Number(d.repair_bytes_sent); }},
      {"cdr_journal_bytes", "gauge", "Journal bytes retained because the shadow has not acknowledged them.",
       [](const DiskReplicationStatus& d) { return Number(d.journal_bytes); }},
      {"cdr_journal_seq", "gauge", "Sequence number of the newest journaled write.",
       [](const DiskReplicationStatus& d) { return Number(d.journal_seq); }},
      {"cdr_acked_seq", "gauge", "Sequence number of the newest write the shadow acknowledged.",
       [](const DiskReplicationStatus& d) { return Number(d.acked_seq); }},
      {"cdr_link_up", "gauge", "1 while the replication link to the shadow is up.",
       [](const DiskReplicationStatus& d) { return std::string(d.link_up ? "1" : "0"); }},
  };
  return families;
}

void Header(std::string* out, const char* name, const char* type, const char* help) {
  fmt::format_to(std::back_inserter(*out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

const std::vector<std::string>& KnownReplicationStates() {
  static const std::vector<std::string> states = {
      "initialized", "replication_starting", "full_sync",        "full_sync_stopping", "full_sync_stopped",
      "realtime",    "realtime_stopping",    "realtime_stopped", "replication_error",  "repair_starting",
      "repairing"};
  return states;
}

std::string RenderPrometheusMetrics(const AgentStatus& status) {
  std::string out;
  const std::string server = fmt::format("group=\"{}\",server=\"{}\",server_id=\"{}\"", PrometheusLabelValue(status.group),
                                         PrometheusLabelValue(status.server_name), PrometheusLabelValue(status.server_id));
  const auto labels = [&](const DiskReplicationStatus& d) {
    return fmt::format("{},disk=\"{}\"", server, PrometheusLabelValue(d.disk));
  };

  Header(&out, "cdr_replication_state", "gauge", "Replication state of the disk: 1 for the current state.");
  for (const auto& d : status.disks) {
    std::vector<std::string> states = KnownReplicationStates();
    if (std::find(states.begin(), states.end(), d.state) == states.end()) states.push_back(d.state);
    for (const auto& state : states) {
      fmt::format_to(std::back_inserter(out), "cdr_replication_state{{{},state=\"{}\"}} {}\n", labels(d),
                     PrometheusLabelValue(state), state == d.state ? 1 : 0);
    }
  }
  for (const auto& family : ValueFamilies()) {
    Header(&out, family.name, family.type, family.help);
    for (const auto& d : status.disks) {
      fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", family.name, labels(d), family.value(d));
    }
  }
  Header(&out, "cdr_agent_fenced", "gauge", "1 while the agent's exports refuse writes (the server failed over).");
  fmt::format_to(std::back_inserter(out), "cdr_agent_fenced{{{}}} {}\n", server, status.fenced ? 1 : 0);
  return out;
}

}  // namespace cdr::agent::api
