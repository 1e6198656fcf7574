// The disks of one server at one recovery point, ready to serve or write out: history opened and pinned, an
// extent index per disk, and (with a state directory) the DR host's writes overlay on top.
//
// The state directory remembers the point in point.json the first time, so a restart of the DR disk comes
// back to the same point and the same writes whatever is asked; removing point.json starts over at a new
// point.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/block_device.h"
#include "common/status.h"
#include "recovery/history_reader.h"
#include "recovery/point_in_time_device.h"
#include "recovery/writes_overlay.h"

namespace cdr::recovery {

struct DrDiskRequest {
  std::filesystem::path server_dir;  // REPLICA_DIR/<server>
  std::string at = "latest";         // ignored when state_dir/point.json exists
  std::filesystem::path state_dir;   // empty: read-only disks, nothing remembered
  std::string pin_name;              // empty: DefaultPinName(state_dir)
  std::string only_disk;             // empty: every disk with history
};

struct DrDisk {
  std::string name;
  PointInTimeDevice* point_in_time = nullptr;    // owned by `device` (the overlay) or `read_only`
  std::unique_ptr<WritesOverlay> overlay;        // with a state directory
  std::unique_ptr<PointInTimeDevice> read_only;  // without one
  agent::BlockDevice* device() {
    return overlay ? static_cast<agent::BlockDevice*>(overlay.get()) : read_only.get();
  }
};

struct DrDiskSet {
  std::unique_ptr<HistoryReader> history;
  ResolvedPoint point;
  std::string pin_name;
  std::vector<DrDisk> disks;
  double index_ms = 0;  // opening the history (header scan) and building every disk's extent index
};

std::filesystem::path PointFilePath(const std::filesystem::path& state_dir);
// "dr-<16 hex of the state directory's absolute path>": stable across restarts of one DR disk.
std::string DefaultPinName(const std::filesystem::path& state_dir);

Result<DrDiskSet> OpenDrDisks(const DrDiskRequest& request);
// Flushes and closes the overlays. A served DR host keeps its pin when it stops (`cdr local down`, a reboot): it
// must come back at the same point, so the pin goes only with the DR host (its state dir). Offline uses (export,
// flatten) release it, so the shadow may roll its base past the point.
enum class PinAfterClose { kKeep, kRelease };
Status CloseDrDisks(DrDiskSet* set, PinAfterClose pin);

}  // namespace cdr::recovery
