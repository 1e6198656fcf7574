#include "agent/sync_mode_switch.h"

#include <mutex>

namespace cdr::agent {

void SyncModeSwitch::UseSync(std::unique_ptr<SyncReplicationDevice> sync) {
  std::unique_lock lock(mutex_);
  sync_ = std::move(sync);
}

bool SyncModeSwitch::sync() const {
  std::shared_lock lock(mutex_);
  return sync_ != nullptr;
}

Status SyncModeSwitch::Write(uint64_t offset, std::span<const uint8_t> data, bool fua) {
  std::shared_lock lock(mutex_);
  return sync_ ? sync_->Write(offset, data, fua) : next_->Write(offset, data, fua);
}

Status SyncModeSwitch::Trim(uint64_t offset, uint64_t length, bool fua) {
  std::shared_lock lock(mutex_);
  return sync_ ? sync_->Trim(offset, length, fua) : next_->Trim(offset, length, fua);
}

Status SyncModeSwitch::WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) {
  std::shared_lock lock(mutex_);
  return sync_ ? sync_->WriteZeroes(offset, length, may_punch, fua)
               : next_->WriteZeroes(offset, length, may_punch, fua);
}

}  // namespace cdr::agent
