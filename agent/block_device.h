// The write pipeline, shaped like nbdkit filters: each layer is a BlockDevice that forwards to `next` and
// overrides only what it changes (FileBackend at the bottom, then JournalLayer, then DirtyBitmapLayer).
// Every call may come from several connection threads at once; implementations must be thread-safe.
// Callers (the NBD connection) have already checked that ranges lie inside Size().
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/status.h"

namespace cdr::agent {

// One run of a disk's allocation map: a hole is unallocated and reads as zeroes; anything else is data (or not
// known to be a hole, which must be reported as data).
struct Extent {
  uint64_t length;
  bool hole;
  bool operator==(const Extent&) const = default;
};

class BlockDevice {
 public:
  virtual ~BlockDevice() = default;

  virtual uint64_t Size() const = 0;
  // Preferred I/O size, advertised to clients as the NBD preferred block size.
  virtual uint32_t BlockSize() const = 0;

  virtual Status Read(uint64_t offset, std::span<uint8_t> out) = 0;
  // fua: the data must be on stable storage before this returns.
  virtual Status Write(uint64_t offset, std::span<const uint8_t> data, bool fua) = 0;
  // Makes every write completed before the call (by any connection) durable.
  virtual Status Flush() = 0;
  // Contents of the range become undefined (a punched hole reads as zeroes on files).
  virtual Status Trim(uint64_t offset, uint64_t length, bool fua) = 0;
  // may_punch = false is NBD_CMD_FLAG_NO_HOLE: the range must stay allocated.
  virtual Status WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) = 0;
  // The allocation of [offset, offset + length) from `offset` on, in order: at least one extent, possibly
  // stopping short of the end. By default all of it is data.
  virtual Status Extents(uint64_t offset, uint64_t length, std::vector<Extent>* out) {
    out->push_back({length, false});
    return Status::Ok();
  }
};

// Base of the layers: forwards everything to `next`, which it owns.
class ForwardingDevice : public BlockDevice {
 public:
  explicit ForwardingDevice(std::unique_ptr<BlockDevice> next) : next_(std::move(next)) {}

  uint64_t Size() const override { return next_->Size(); }
  uint32_t BlockSize() const override { return next_->BlockSize(); }
  Status Read(uint64_t offset, std::span<uint8_t> out) override { return next_->Read(offset, out); }
  Status Write(uint64_t offset, std::span<const uint8_t> data, bool fua) override {
    return next_->Write(offset, data, fua);
  }
  Status Flush() override { return next_->Flush(); }
  Status Trim(uint64_t offset, uint64_t length, bool fua) override { return next_->Trim(offset, length, fua); }
  Status WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) override {
    return next_->WriteZeroes(offset, length, may_punch, fua);
  }
  Status Extents(uint64_t offset, uint64_t length, std::vector<Extent>* out) override {
    return next_->Extents(offset, length, out);
  }

 protected:
  BlockDevice& next() { return *next_; }

 private:
  std::unique_ptr<BlockDevice> next_;
};

}  // namespace cdr::agent
