// Pipeline layer that marks the dirty bitmap for every write, zero and trim, and syncs it on FLUSH and FUA.
// It marks BEFORE forwarding: if the agent dies between the backing-store write and the acknowledgement, the
// block may have changed without a journal record, and only an intent mark made first can remember it.
// Over-marking (a write that then fails) is harmless: a dirty block is just copied again.
#pragma once

#include <memory>

#include "agent/block_device.h"
#include "agent/dirty_bitmap.h"

namespace cdr::agent {

class DirtyBitmapLayer : public ForwardingDevice {
 public:
  DirtyBitmapLayer(std::unique_ptr<BlockDevice> next, std::shared_ptr<DirtyBitmap> bitmap)
      : ForwardingDevice(std::move(next)), bitmap_(std::move(bitmap)) {}

  Status Write(uint64_t offset, std::span<const uint8_t> data, bool fua) override;
  Status Flush() override;
  Status Trim(uint64_t offset, uint64_t length, bool fua) override;
  Status WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) override;

  DirtyBitmap& bitmap() { return *bitmap_; }

 private:
  Status After(Status forwarded, bool fua);

  std::shared_ptr<DirtyBitmap> bitmap_;
};

}  // namespace cdr::agent
