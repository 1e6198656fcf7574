#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

#include "common/rfc3339.h"
#include "recovery/dr_disks.h"
#include "recovery/failover_changes_map.h"
#include "recovery/main/commands.h"
#include "recovery/standalone_image.h"
#include "shadow/history_bytes.h"

namespace cdr::recovery::cli {
namespace fs = std::filesystem;

int Flatten(const FlattenFlags& flags) {
  std::error_code ec;
  if (!fs::exists(PointFilePath(flags.state_dir), ec)) {
    spdlog::error("{} not found: flatten writes the DR disks `serve` made with that state directory",
                  PointFilePath(flags.state_dir).string());
    return 1;
  }
  DrDiskRequest request;
  request.server_dir = flags.replica_dir / flags.server;
  request.state_dir = flags.state_dir;
  request.pin_name = "flatten-" + std::to_string(::getpid());
  Result<DrDiskSet> set = OpenDrDisks(request);
  if (!set.ok()) {
    spdlog::error("{}", set.status().ToString());
    return 1;
  }
  int code = 0;
  for (DrDisk& disk : set->disks) {
    StandaloneImageJob job;
    job.disk = disk.point_in_time;
    job.writes = disk.overlay.get();
    job.server_dir = request.server_dir;
    job.base = flags.consume_base ? BaseHandling::kConsume : BaseHandling::kCopy;
    job.out = flags.out_dir / (disk.name + ".img");
    if (Status s = WriteStandaloneImage(job); !s.ok()) {
      spdlog::error("flatten {}: {}", disk.name, s.ToString());
      code = 1;
      break;
    }
    if (Status s = WriteFailoverChangesMap(disk, set->point.seqs[disk.name], job.out); !s.ok()) {
      spdlog::error("flatten {}: the change map: {}", disk.name, s.ToString());
      code = 1;
      break;
    }
    spdlog::info("wrote {}", job.out.string());
  }
  if (Status s = CloseDrDisks(&*set, PinAfterClose::kRelease); !s.ok()) {
    spdlog::error("{}", s.ToString());
    code = 1;
  }
  return code;
}

int Export(const ExportFlags& flags) {
  DrDiskRequest request;
  request.server_dir = flags.replica_dir / flags.server;
  request.at = flags.at;
  request.only_disk = flags.disk;
  request.pin_name = "export-" + std::to_string(::getpid());
  Result<DrDiskSet> set = OpenDrDisks(request);
  if (!set.ok()) {
    spdlog::error("{}", set.status().ToString());
    return 1;
  }
  StandaloneImageJob job;
  job.disk = set->disks.front().point_in_time;
  job.server_dir = request.server_dir;
  job.out = flags.out;
  int code = 0;
  if (Status s = WriteStandaloneImage(job); !s.ok()) {
    spdlog::error("export {}: {}", flags.disk, s.ToString());
    code = 1;
  }
  if (Status s = CloseDrDisks(&*set, PinAfterClose::kRelease); !s.ok()) {
    spdlog::error("{}", s.ToString());
    code = 1;
  }
  return code;
}

int Points(const PointsFlags& flags) {
  Result<std::unique_ptr<HistoryReader>> history = HistoryReader::Open(flags.replica_dir / flags.server);
  if (!history.ok()) {
    spdlog::error("{}", history.status().ToString());
    return 1;
  }
  (*history)->Unlock();
  nlohmann::json out = {
      {"server", flags.server}, {"points", nlohmann::json::array()}, {"windows", nlohmann::json::array()}};
  for (const PointSummary& p : (*history)->Points()) {
    out["points"].push_back({{"id", p.point.id},
                             {"time_ns", p.point.time_ns},
                             {"time", FormatRfc3339Nanos(p.point.time_ns)},
                             {"kind", p.point.kind},
                             {"bytes", p.bytes},
                             {"seqs", p.point.seqs}});
  }
  for (const DiskWindow& w : (*history)->Windows()) {
    out["windows"].push_back({{"disk", w.disk},
                              {"start_time_ns", w.start_time_ns},
                              {"end_time_ns", w.end_time_ns},
                              {"start", FormatRfc3339Nanos(w.start_time_ns)},
                              {"end", FormatRfc3339Nanos(w.end_time_ns)},
                              {"base_seq", w.base_seq},
                              {"newest_seq", w.newest_seq},
                              {"history_bytes", shadow::HistoryBytes({flags.replica_dir / flags.server, w.disk})}});
  }
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

}  // namespace cdr::recovery::cli
