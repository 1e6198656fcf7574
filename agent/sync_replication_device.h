// --mode sync: a write, zero or trim is acknowledged to the NBD client only after the shadow acknowledged its
// journal record (RPO zero). Sits on top of an export's pipeline without owning it, like the nbdkit filters.
//
// An outage must not freeze the guest's I/O: outside the realtime phase nothing waits, and when the shadow
// does not acknowledge within `timeout` the write is acknowledged anyway and the export runs asynchronously
// (logged, no more waiting) until the shadow has caught up.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "agent/block_device.h"
#include "agent/journal.h"
#include "agent/replication_sender.h"

namespace cdr::agent {

class SyncReplicationDevice : public BlockDevice {
 public:
  SyncReplicationDevice(std::string name, BlockDevice* next, const Journal* journal,
                        ReplicationSender* sender, std::chrono::milliseconds timeout)
      : name_(std::move(name)), next_(next), journal_(journal), sender_(sender), timeout_(timeout) {}

  uint64_t Size() const override { return next_->Size(); }
  uint32_t BlockSize() const override { return next_->BlockSize(); }
  Status Read(uint64_t offset, std::span<uint8_t> out) override { return next_->Read(offset, out); }
  Status Write(uint64_t offset, std::span<const uint8_t> data, bool fua) override;
  Status Flush() override { return next_->Flush(); }
  Status Extents(uint64_t offset, uint64_t length, std::vector<Extent>* out) override {
    return next_->Extents(offset, length, out);
  }
  Status Trim(uint64_t offset, uint64_t length, bool fua) override;
  Status WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) override;

  bool degraded() const { return degraded_; }

 private:
  // Waits for the newest journal seq: it covers the caller's record (appended before the call returned).
  Status WaitReplicated(Status forwarded);

  const std::string name_;
  BlockDevice* const next_;
  const Journal* const journal_;
  ReplicationSender* const sender_;
  const std::chrono::milliseconds timeout_;
  std::atomic<bool> degraded_{false};
};

}  // namespace cdr::agent
