// cdr-dr-disk's Prometheus metrics: the DR host it serves, labelled with cdr's names group="…", server="…" and
// dr_host="…", purpose="drill|failover":
//
//   cdr_dr_host_up                       1 while the disks are served (the process answers)
//   cdr_dr_host_standalone               1 when the disks no longer depend on the shadow host
//   cdr_dr_host_disks                    disks served
//   cdr_dr_host_point_age_seconds        age of the instant the disks show (absent for standalone disks)
//   cdr_dr_host_verification{result=}    1 for the last verification's result: none (never verified), passed,
//                                        failed, unknown; read at each scrape from the verification file the
//                                        provider writes after a drill's check
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace cdr::recovery {

struct DrHostMetricsInfo {
  std::string group;
  std::string server_name;
  std::string dr_host;
  std::string purpose;
  bool standalone = false;
  uint64_t point_time_ns = 0;
  int disks = 0;
  std::filesystem::path verification_file;  // {"result": …, "detail": …, "time_ns": N}; may be absent
};

std::string RenderDrHostMetrics(const DrHostMetricsInfo& info, uint64_t now_ns);

}  // namespace cdr::recovery
