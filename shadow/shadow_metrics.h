// cdr-shadow's Prometheus metrics, read from its replica directory at each scrape (the files are the shadow's
// truth: docs/recovery-points.md), one series per replica disk labelled with cdr's names group="…",
// server="…" (given to cdr-shadow by whoever installed it) and the host's server_id="…", disk="…":
//
//   cdr_shadow_applied_seq                          newest journal seq applied to the replica
//   cdr_shadow_replica_consistent                   1 once the full sync is done and no repair runs
//   cdr_shadow_history_bytes                        bytes the recovery history holds (base image, CDP log,
//                                                   repair logs), as allocated on disk
//   cdr_shadow_newest_recovery_point_age_seconds    age of the newest recovery point holding the disk
//                                                   (absent while there is none)
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace cdr::shadow {

struct MetricsNames {
  std::string group;
  std::string server;
};

std::string RenderShadowMetrics(const std::filesystem::path& replica_dir, const MetricsNames& names,
                                uint64_t now_ns);

}  // namespace cdr::shadow
