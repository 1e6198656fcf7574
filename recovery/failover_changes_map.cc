#include "recovery/failover_changes_map.h"

#include <spdlog/spdlog.h>

#include "agent/dirty_bitmap_layer.h"
#include "agent/failover_changes.h"

namespace cdr::recovery {
namespace {

namespace fs = std::filesystem;

void RemoveQuietly(const fs::path& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

}  // namespace

Status WriteFailoverChangesMap(const DrDisk& disk, uint64_t point_seq, const fs::path& image) {
  // The json is the map's commit mark: gone first, written last.
  RemoveQuietly(agent::FailoverChangesMetaPath(image));
  RemoveQuietly(agent::FailoverChangesPath(image));
  const DiskLog& log = disk.point_in_time->log();
  for (const RepairLog& r : log.repairs()) {
    if (!r.entry.finished()) {
      spdlog::warn(
          "flatten {}: a repair of the replica was running, so no change map (a failback compares the "
          "whole disk)",
          disk.name);
      return Status::Ok();
    }
  }
  auto bitmap = agent::DirtyBitmap::Open(agent::FailoverChangesPath(image), log.disk_size(),
                                         agent::kFailoverChangesBlock);
  if (!bitmap.ok()) return bitmap.status();
  for (const RecordRef& r : log.records()) {
    if (r.seq > point_seq) CDR_RETURN_IF_ERROR((*bitmap)->Mark(r.offset, r.length));
  }
  for (const RepairLog& r : log.repairs()) {
    if (r.entry.after_seq < point_seq && r.entry.finished_seq <= point_seq) continue;  // part of the point
    for (const RecordRef& record : r.records)
      CDR_RETURN_IF_ERROR((*bitmap)->Mark(record.offset, record.length));
  }
  if (disk.overlay) {
    for (const agent::DirtyRange& d : disk.overlay->owned_blocks().DirtyRanges()) {
      CDR_RETURN_IF_ERROR((*bitmap)->Mark(d.offset, d.length));
    }
  }
  const uint64_t blocks = (*bitmap)->CountDirtyBlocks();
  CDR_RETURN_IF_ERROR((*bitmap)->CloseClean());
  CDR_RETURN_IF_ERROR(agent::WriteFailoverChangesMeta(image, {point_seq, log.newest_seq()}));
  spdlog::info("flatten {}: change map of {} blocks since seq {} (history up to seq {})", disk.name, blocks,
               point_seq, log.newest_seq());
  return Status::Ok();
}

Result<std::unique_ptr<agent::BlockDevice>> TrackFailoverChanges(const fs::path& image,
                                                                 std::unique_ptr<agent::BlockDevice> disk,
                                                                 std::shared_ptr<agent::DirtyBitmap>* map) {
  map->reset();
  std::error_code ec;
  if (!fs::exists(agent::FailoverChangesPath(image), ec)) return disk;
  if (!fs::exists(agent::FailoverChangesMetaPath(image), ec)) {
    RemoveQuietly(agent::FailoverChangesPath(image));  // a flatten that stopped before its commit mark
    return disk;
  }
  auto bitmap =
      agent::DirtyBitmap::Open(agent::FailoverChangesPath(image), disk->Size(), agent::kFailoverChangesBlock);
  if (!bitmap.ok()) return bitmap.status();
  const agent::BitmapRecovery recovery = (*bitmap)->recovery();
  if (recovery != agent::BitmapRecovery::kClean && recovery != agent::BitmapRecovery::kAgentCrash) {
    spdlog::warn("{}: the change map is not exact ({}): dropped, a failback compares the whole disk",
                 image.string(), agent::BitmapRecoveryName(recovery));
    bitmap->reset();
    RemoveQuietly(agent::FailoverChangesMetaPath(image));
    RemoveQuietly(agent::FailoverChangesPath(image));
    return disk;
  }
  *map = std::shared_ptr<agent::DirtyBitmap>(std::move(*bitmap));
  return std::unique_ptr<agent::BlockDevice>(
      std::make_unique<agent::DirtyBitmapLayer>(std::move(disk), *map));
}

}  // namespace cdr::recovery
