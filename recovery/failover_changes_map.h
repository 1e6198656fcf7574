// Writes a confirmed DR host's change map (agent/failover_changes.h) beside its standalone image, at flatten:
// the blocks the history changed after the failover's point (log records and repairs past it, up to the
// newest seq) and the blocks the DR host's writes overlay owns. Left out (so a failback compares the whole
// disk) when a repair of the replica was still running: no seq then says what production holds. Then, while
// cdr-dr-disk serves the standalone image, every write marks the map first (agent::DirtyBitmapLayer).
#pragma once

#include <filesystem>

#include "agent/block_device.h"
#include "agent/dirty_bitmap.h"
#include "common/status.h"
#include "recovery/dr_disks.h"

namespace cdr::recovery {

Status WriteFailoverChangesMap(const DrDisk& disk, uint64_t point_seq, const std::filesystem::path& image);

// `disk` (the standalone image's backend) with the image's change map marked by every write, and the map in
// *map (CloseClean it after the last write). Without a map, or with one a host crash left inexact (then it is
// removed, so a failback compares the whole disk), `disk` itself and *map null.
Result<std::unique_ptr<agent::BlockDevice>> TrackFailoverChanges(const std::filesystem::path& image,
                                                                 std::unique_ptr<agent::BlockDevice> disk,
                                                                 std::shared_ptr<agent::DirtyBitmap>* map);

}  // namespace cdr::recovery
