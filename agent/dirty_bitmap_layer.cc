#include "agent/dirty_bitmap_layer.h"

namespace cdr::agent {

Status DirtyBitmapLayer::Write(uint64_t offset, std::span<const uint8_t> data, bool fua) {
  std::shared_lock marking(marking_);
  CDR_RETURN_IF_ERROR(bitmap_->Mark(offset, data.size()));
  return next().Write(offset, data, fua);
}

Status DirtyBitmapLayer::Trim(uint64_t offset, uint64_t length, bool fua) {
  std::shared_lock marking(marking_);
  CDR_RETURN_IF_ERROR(bitmap_->Mark(offset, length));
  return next().Trim(offset, length, fua);
}

Status DirtyBitmapLayer::WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) {
  std::shared_lock marking(marking_);
  CDR_RETURN_IF_ERROR(bitmap_->Mark(offset, length));
  return next().WriteZeroes(offset, length, may_punch, fua);
}

Result<bool> DirtyBitmapLayer::ClearIfReplicated(const std::function<bool()>& replica_has_every_journaled_write) {
  std::unique_lock marking(marking_, std::try_to_lock);
  if (!marking.owns_lock() || !replica_has_every_journaled_write()) return false;
  CDR_RETURN_IF_ERROR(bitmap_->ClearAll());
  return true;
}

}  // namespace cdr::agent
