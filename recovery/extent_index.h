// Where each byte of a disk at seq S comes from: an interval map of non-overlapping extents built from the
// record headers of (base_seq, S], newest record winning; bytes outside every extent come from the base
// image. Building it costs O(records · log extents), independent of the disk size.
#pragma once

#include <cstdint>
#include <functional>
#include <map>

#include "recovery/disk_log.h"

namespace cdr::recovery {

struct Extent {
  enum class Source : uint8_t { kData, kZero };
  uint64_t end = 0;  // exclusive; the start is the map key
  Source source = Source::kZero;
  uint32_t file = 0;      // kData: DiskLog file index
  uint64_t file_pos = 0;  // kData: position of the extent's first byte in that file
};

class ExtentIndex {
 public:
  // Applies [offset, offset + length) from a record, replacing whatever covered it (splitting partly covered
  // extents). Ranges past disk_size are clipped.
  void Apply(const RecordRef& record);

  // Calls fn(piece_offset, piece_length, extent or nullptr for "from the base") for consecutive pieces
  // covering [offset, offset + length).
  void ForEachPiece(uint64_t offset, uint64_t length,
                    const std::function<void(uint64_t, uint64_t, const Extent*)>& fn) const;

  const std::map<uint64_t, Extent>& extents() const { return extents_; }
  explicit ExtentIndex(uint64_t disk_size) : disk_size_(disk_size) {}

 private:
  uint64_t disk_size_;
  std::map<uint64_t, Extent> extents_;
};

// The index of the disk at `seq` (which the caller checked with DiskLog::CheckConsistent).
ExtentIndex BuildExtentIndex(const DiskLog& log, uint64_t seq);

}  // namespace cdr::recovery
