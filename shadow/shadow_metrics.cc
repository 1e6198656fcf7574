#include "shadow/shadow_metrics.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <vector>

#include "common/prometheus_text.h"
#include "shadow/history_bytes.h"
#include "shadow/history_files.h"
#include "shadow/recovery_points.h"
#include "shadow/replica_state.h"

namespace cdr::shadow {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kStateSuffix = ".state.json";

struct DiskFigures {
  std::string server_id;
  std::string disk;
  ReplicaState state;
  uint64_t history_bytes = 0;
  std::optional<uint64_t> newest_point_ns;
};

std::vector<DiskFigures> ReadDisks(const fs::path& replica_dir) {
  std::vector<DiskFigures> out;
  std::error_code ec;
  for (const auto& server : fs::directory_iterator(replica_dir, ec)) {
    if (!server.is_directory()) continue;
    // A damaged points file only hides the point age; the other figures are still worth exporting.
    auto points = LoadRecoveryPoints(PointsPath(server.path()));
    std::error_code inner;
    for (const auto& file : fs::directory_iterator(server.path(), inner)) {
      const std::string name = file.path().filename().string();
      if (name.size() <= kStateSuffix.size() || !name.ends_with(kStateSuffix)) continue;
      auto state = LoadReplicaState(file.path());
      if (!state.ok()) continue;
      DiskFigures d;
      d.server_id = server.path().filename().string();
      d.disk = name.substr(0, name.size() - kStateSuffix.size());
      d.state = *state;
      d.history_bytes = HistoryBytes({server.path(), d.disk});
      if (points.ok()) {
        for (const auto& p : *points) {
          if (p.seqs.count(d.disk)) d.newest_point_ns = std::max(d.newest_point_ns.value_or(0), p.time_ns);
        }
      }
      out.push_back(std::move(d));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return std::tie(a.server_id, a.disk) < std::tie(b.server_id, b.disk); });
  return out;
}

}  // namespace

std::string RenderShadowMetrics(const fs::path& replica_dir, const MetricsNames& names, uint64_t now_ns) {
  const std::vector<DiskFigures> disks = ReadDisks(replica_dir);
  const auto labels = [&](const DiskFigures& d) {
    return PrometheusLabels{{"group", names.group}, {"server", names.server}, {"server_id", d.server_id},
                            {"disk", d.disk}};
  };
  PrometheusText out;
  out.Family("cdr_shadow_applied_seq", "gauge", "Newest journal seq applied to the replica disk.");
  for (const auto& d : disks) out.Sample("cdr_shadow_applied_seq", labels(d), static_cast<double>(d.state.applied_seq));
  out.Family("cdr_shadow_replica_consistent", "gauge", "1 once the full sync is done and no repair runs.");
  for (const auto& d : disks) out.Sample("cdr_shadow_replica_consistent", labels(d), d.state.consistent() ? 1 : 0);
  out.Family("cdr_shadow_history_bytes", "gauge",
             "Bytes the disk's recovery history holds on the shadow host (allocated).");
  for (const auto& d : disks) out.Sample("cdr_shadow_history_bytes", labels(d), static_cast<double>(d.history_bytes));
  out.Family("cdr_shadow_newest_recovery_point_age_seconds", "gauge",
             "Age of the newest recovery point holding the disk; absent while there is none.");
  for (const auto& d : disks) {
    if (!d.newest_point_ns) continue;
    const double age = now_ns > *d.newest_point_ns ? (now_ns - *d.newest_point_ns) / 1e9 : 0.0;
    out.Sample("cdr_shadow_newest_recovery_point_age_seconds", labels(d), age);
  }
  return out.text();
}

}  // namespace cdr::shadow
