#include "console/estate_metrics.h"

#include <iterator>

#include "common/prometheus_text.h"
#include "reconcile/server_state.h"

namespace cdr::console {
namespace {

constexpr reconcile::Health kHealths[] = {reconcile::Health::kHealthy, reconcile::Health::kRpoHigh,
                                          reconcile::Health::kNotReplicating, reconcile::Health::kError,
                                          reconcile::Health::kUnknown};

PrometheusLabels Labels(const reconcile::GroupStatus& g, const reconcile::ServerStatus& s) {
  return {{"group", g.name}, {"server", s.name}};
}

PrometheusLabels With(PrometheusLabels labels, std::string name, std::string value) {
  labels.emplace_back(std::move(name), std::move(value));
  return labels;
}

template <typename Fn>
void PerServer(const EstateSnapshot& snapshot, Fn&& fn) {
  for (const auto& g : snapshot.groups) {
    for (const auto& s : g.servers) fn(g, s);
  }
}

}  // namespace

std::string RenderEstateMetrics(const EstateSnapshot& snapshot) {
  PrometheusText out;
  out.Family("cdr_server_health", "gauge", "1 for the server's health; unknown unless observed live.");
  PerServer(snapshot, [&](const auto& g, const auto& s) {
    for (reconcile::Health h : kHealths) {
      out.Sample("cdr_server_health", With(Labels(g, s), "health", reconcile::HealthName(h)), s.health == h ? 1 : 0);
    }
  });
  out.Family("cdr_server_state", "gauge", "1 for the server's state.");
  PerServer(snapshot, [&](const auto& g, const auto& s) {
    out.Sample("cdr_server_state", With(Labels(g, s), "state", s.state), 1);
  });
  out.Family("cdr_server_rpo_seconds", "gauge",
             "The server's RPO; an upper bound from an older observation when cdr_server_live is 0.");
  PerServer(snapshot, [&](const auto& g, const auto& s) {
    if (s.rpo_seconds >= 0) out.Sample("cdr_server_rpo_seconds", Labels(g, s), s.rpo_seconds);
  });
  out.Family("cdr_server_live", "gauge", "1 when the server's agent answered in the last observation.");
  PerServer(snapshot, [&](const auto& g, const auto& s) { out.Sample("cdr_server_live", Labels(g, s), s.live); });
  out.Family("cdr_server_progress_percent", "gauge", "Progress of the full sync or repair under way.");
  PerServer(snapshot, [&](const auto& g, const auto& s) {
    if (s.progress_percent >= 0) out.Sample("cdr_server_progress_percent", Labels(g, s), s.progress_percent);
  });
  out.Family("cdr_server_backlog_bytes", "gauge", "Bytes written and not sent while replication is stopped.");
  PerServer(snapshot, [&](const auto& g, const auto& s) {
    if (s.backlog) out.Sample("cdr_server_backlog_bytes", Labels(g, s), static_cast<double>(s.backlog->bytes));
  });
  out.Family("cdr_server_backlog_age_seconds", "gauge", "Age of the oldest unsent write while stopped.");
  PerServer(snapshot, [&](const auto& g, const auto& s) {
    if (s.backlog) out.Sample("cdr_server_backlog_age_seconds", Labels(g, s), s.backlog->age_seconds);
  });
  out.Family("cdr_group_servers", "gauge", "Servers of the group by health.");
  for (const auto& g : snapshot.groups) {
    const int counts[] = {g.healthy, g.rpo_high, g.not_replicating, g.error, g.unknown};
    for (size_t i = 0; i < std::size(kHealths); ++i) {
      out.Sample("cdr_group_servers", {{"group", g.name}, {"health", reconcile::HealthName(kHealths[i])}}, counts[i]);
    }
  }
  out.Family("cdr_serve_live", "gauge", "1 when the last observation could ask the provider and the agents.");
  out.Sample("cdr_serve_live", {}, snapshot.live);
  out.Family("cdr_serve_last_observation_timestamp_seconds", "gauge", "When the last observation finished.");
  out.Sample("cdr_serve_last_observation_timestamp_seconds", {}, snapshot.observed_at_ms / 1000.0);
  out.Family("cdr_serve_observation_duration_seconds", "gauge", "How long the last observation took.");
  out.Sample("cdr_serve_observation_duration_seconds", {}, snapshot.refresh_seconds);
  return out.text();
}

}  // namespace cdr::console
