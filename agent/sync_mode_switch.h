// The device an NBD export serves while replication may run in either mode. The NBD server keeps one device
// pointer for its whole life, but sync or async is chosen per start (ReplicationTarget::sync_mode), so this
// layer forwards writes through a SyncReplicationDevice while one is set and straight to `next` otherwise.
// Reads never wait for the shadow and always go straight to `next`.
#pragma once

#include <memory>
#include <shared_mutex>

#include "agent/block_device.h"
#include "agent/sync_replication_device.h"

namespace cdr::agent {

class SyncModeSwitch : public BlockDevice {
 public:
  explicit SyncModeSwitch(BlockDevice* next) : next_(next) {}

  // nullptr: async. Waits for the writes in flight through the previous device, so the sender that device
  // waits on may be destroyed afterwards; stop that sender first, or this waits for its ack timeout.
  void UseSync(std::unique_ptr<SyncReplicationDevice> sync);
  bool sync() const;

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

 private:
  BlockDevice* const next_;
  mutable std::shared_mutex mutex_;
  std::unique_ptr<SyncReplicationDevice> sync_;
};

}  // namespace cdr::agent
