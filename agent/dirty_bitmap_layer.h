// Pipeline layer that marks the dirty bitmap for every write, zero and trim. It marks BEFORE forwarding: if the
// agent dies between the backing-store write and the acknowledgement, the block may have changed without a
// journal record, and only an intent mark made first can remember it. Over-marking (a write that then fails)
// is harmless: a dirty block is just copied again.
//
// FLUSH and FUA do not sync the bitmap: it is trusted only after an agent crash on a running host (the page
// cache holds every mark); after a host crash its file reads `open` with another boot id and the repair that
// follows compares the whole disk whatever the bits say (agent/export_stack.cc). Only an orderly close syncs
// it, before it marks the file clean. One fdatasync less per FLUSH/FUA.
//
// The bitmap is cleared as a whole once the replica has every write (ClearIfReplicated, called by the
// replication sender when it is caught up), so an agent crash resyncs only what changed since. That is safe
// only when no write is between its mark and its journal record: each write holds `marking_` shared from its
// mark until the layers below return (journaled), and the clear takes it exclusively without waiting.
#pragma once

#include <functional>
#include <memory>
#include <shared_mutex>

#include "agent/block_device.h"
#include "agent/dirty_bitmap.h"

namespace cdr::agent {

class DirtyBitmapLayer : public ForwardingDevice {
 public:
  DirtyBitmapLayer(std::unique_ptr<BlockDevice> next, std::shared_ptr<DirtyBitmap> bitmap)
      : ForwardingDevice(std::move(next)), bitmap_(std::move(bitmap)) {}

  Status Write(uint64_t offset, std::span<const uint8_t> data, bool fua) override;
  Status Trim(uint64_t offset, uint64_t length, bool fua) override;
  Status WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) override;

  DirtyBitmap& bitmap() { return *bitmap_; }

  // Clears the bitmap if `replica_has_every_journaled_write()` holds while no write is in flight here; returns
  // false without waiting when one is (the caller tries again later) or when the predicate is false. After an
  // agent crash the journal's retained records are replayed into the bitmap, so a write journaled before the
  // clear but acknowledged by the replica only later is still resynced.
  Result<bool> ClearIfReplicated(const std::function<bool()>& replica_has_every_journaled_write);

 private:
  std::shared_ptr<DirtyBitmap> bitmap_;
  std::shared_mutex marking_;  // shared: a write from its mark to its journal record; exclusive: a clear
};

}  // namespace cdr::agent
