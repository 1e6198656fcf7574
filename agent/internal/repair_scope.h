// Which ranges of the disk a repair compares (docs/wire-protocol.md, "Repair"). Normally all of them: after a
// link outage, a full journal or a host crash any block may differ. After an agent crash (kill -9) the dirty
// bitmap is exact (every bit reached the page cache before its write reached the disk), so only the ranges
// holding a dirty block can differ from the replica, and the resync compares just those.
#pragma once

#include <cstdint>
#include <vector>

#include "agent/dirty_bitmap.h"

namespace cdr::agent::internal {

// A repair hashes the disk in ranges of this size, aligned to it (the last one may be shorter).
inline constexpr uint64_t kRepairRangeBytes = 1 << 20;

// The union of two lists of ascending, non-overlapping ranges, ascending and merged.
std::vector<DirtyRange> MergeRanges(const std::vector<DirtyRange>& a, const std::vector<DirtyRange>& b);

class RepairScope {
 public:
  static RepairScope WholeDisk(uint64_t disk_size);
  // The ranges holding a block of `dirty` (ascending and not overlapping, as DirtyBitmap::DirtyRanges()).
  static RepairScope Dirty(uint64_t disk_size, const std::vector<DirtyRange>& dirty);

  // Start of the first range to compare at or after `offset`; end() when none is left.
  uint64_t NextRange(uint64_t offset) const;
  // End of the last range to compare; 0 when there is nothing to compare.
  uint64_t end() const { return end_; }
  // Bytes the whole scope compares.
  uint64_t bytes() const { return bytes_; }

 private:
  uint64_t disk_size_ = 0;
  bool whole_ = false;
  std::vector<uint64_t> starts_;  // range starts, for a dirty scope
  uint64_t end_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace cdr::agent::internal
