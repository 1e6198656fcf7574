// A DR disk written out as a plain sparse image that needs no history: `export` (a disk at a point, for users
// and `e2fsck -fn`) and `flatten` (the DR disk with the DR host's writes, after a confirmed failover).
// The output starts as the base image — copied extent by extent (holes stay holes), or renamed when the
// shadow is about to be deleted — then only the indexed extents and the overlay's blocks are written over it,
// so with a renamed base the cost grows with the data changed, not with the disk size. fdatasync'ed before
// return.
#pragma once

#include <filesystem>

#include "common/status.h"
#include "recovery/point_in_time_device.h"
#include "recovery/writes_overlay.h"

namespace cdr::recovery {

enum class BaseHandling {
  kCopy,     // the base stays where it is (the shadow keeps working)
  kConsume,  // the base image is renamed to the output (the shadow host is about to be deleted)
};

struct StandaloneImageJob {
  const PointInTimeDevice* disk = nullptr;
  const WritesOverlay* writes = nullptr;  // optional: the DR host's own writes on top
  std::filesystem::path server_dir;       // for the base path and history.lock
  BaseHandling base = BaseHandling::kCopy;
  std::filesystem::path out;
};

Status WriteStandaloneImage(const StandaloneImageJob& job);

}  // namespace cdr::recovery
