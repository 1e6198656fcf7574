#include "agent/sync_replication_device.h"

#include <spdlog/spdlog.h>

namespace cdr::agent {

// Each call announces itself before its record is appended (ReplicationSender::AckWaiter): the sender then
// streams the record at once, while a FUA write's local sync still runs.
Status SyncReplicationDevice::Write(uint64_t offset, std::span<const uint8_t> data, bool fua) {
  ReplicationSender::AckWaiter waiter(sender_);
  return WaitReplicated(next_->Write(offset, data, fua));
}

Status SyncReplicationDevice::Trim(uint64_t offset, uint64_t length, bool fua) {
  ReplicationSender::AckWaiter waiter(sender_);
  return WaitReplicated(next_->Trim(offset, length, fua));
}

Status SyncReplicationDevice::WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) {
  ReplicationSender::AckWaiter waiter(sender_);
  return WaitReplicated(next_->WriteZeroes(offset, length, may_punch, fua));
}

Status SyncReplicationDevice::WaitReplicated(Status forwarded) {
  if (!forwarded.ok()) return forwarded;
  // Before realtime (full sync, reconnecting) there is nothing to wait for: the record is streamed later.
  if (sender_->status().phase != ReplicationPhase::kRealtime) return Status::Ok();
  const uint64_t seq = journal_->next_seq() - 1;
  const bool degraded = degraded_.load();
  if (sender_->WaitForAck(seq, degraded ? std::chrono::milliseconds(0) : timeout_)) {
    if (degraded && degraded_.exchange(false))
      spdlog::info("export {}: shadow caught up, sync mode again", name_);
  } else if (!degraded_.exchange(true)) {
    spdlog::warn(
        "export {}: shadow did not acknowledge seq {} within {} ms, running async until it catches up", name_,
        seq, timeout_.count());
  }
  return Status::Ok();
}

}  // namespace cdr::agent
