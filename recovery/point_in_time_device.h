// A disk as it was at one seq, read-only: each read is split along the extent index and served from the log
// files (record data), zeroes (zero/trim records) or the base image. Nothing is copied up front.
// Writes are refused: the DR host's own writes go to a WritesOverlay stacked on top.
#pragma once

#include <memory>

#include "agent/block_device.h"
#include "recovery/disk_log.h"
#include "recovery/extent_index.h"

namespace cdr::recovery {

class PointInTimeDevice : public agent::BlockDevice {
 public:
  PointInTimeDevice(std::shared_ptr<const DiskLog> log, ExtentIndex index)
      : log_(std::move(log)), index_(std::move(index)) {}

  uint64_t Size() const override { return log_->disk_size(); }
  uint32_t BlockSize() const override { return 4096; }
  Status Read(uint64_t offset, std::span<uint8_t> out) override;
  Status Write(uint64_t offset, std::span<const uint8_t> data, bool fua) override;
  Status Flush() override { return Status::Ok(); }
  Status Trim(uint64_t offset, uint64_t length, bool fua) override;
  Status WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) override;
  // The base image's holes (SEEK_DATA/SEEK_HOLE) where no record covers a byte, holes where the newest record
  // is a zero or trim, data where it is a write.
  Status Extents(uint64_t offset, uint64_t length, std::vector<agent::Extent>* out) override;

  const ExtentIndex& index() const { return index_; }
  const DiskLog& log() const { return *log_; }

 private:
  std::shared_ptr<const DiskLog> log_;
  const ExtentIndex index_;
};

// pread of exactly out.size() bytes; bytes past the end of the file read as zeroes (a base image may be
// shorter than the disk when its tail was never written).
Status PreadOrZero(int fd, uint64_t offset, std::span<uint8_t> out, const std::string& what);

}  // namespace cdr::recovery
