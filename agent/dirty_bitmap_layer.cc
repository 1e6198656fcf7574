#include "agent/dirty_bitmap_layer.h"

#include "common/side_by_side.h"

namespace cdr::agent {

// The bitmap's fdatasync runs beside the layers below when there is something to sync; otherwise Sync() only
// makes sure a sync already running (it may carry this request's mark) has ended.
Status DirtyBitmapLayer::Forward(const std::function<Status()>& forward, bool sync) {
  if (!sync) return forward();
  if (!bitmap_->has_unsynced()) {
    CDR_RETURN_IF_ERROR(forward());
    return bitmap_->Sync();
  }
  return SideBySide(forward, [this] { return bitmap_->Sync(); });
}

Status DirtyBitmapLayer::Write(uint64_t offset, std::span<const uint8_t> data, bool fua) {
  std::shared_lock marking(marking_);
  CDR_RETURN_IF_ERROR(bitmap_->Mark(offset, data.size()));
  return Forward([&] { return next().Write(offset, data, fua); }, fua);
}

Status DirtyBitmapLayer::Flush() {
  return Forward([this] { return next().Flush(); }, true);
}

Status DirtyBitmapLayer::Trim(uint64_t offset, uint64_t length, bool fua) {
  std::shared_lock marking(marking_);
  CDR_RETURN_IF_ERROR(bitmap_->Mark(offset, length));
  return Forward([&] { return next().Trim(offset, length, fua); }, fua);
}

Status DirtyBitmapLayer::WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) {
  std::shared_lock marking(marking_);
  CDR_RETURN_IF_ERROR(bitmap_->Mark(offset, length));
  return Forward([&] { return next().WriteZeroes(offset, length, may_punch, fua); }, fua);
}

Result<bool> DirtyBitmapLayer::ClearIfReplicated(const std::function<bool()>& replica_has_every_journaled_write) {
  std::unique_lock marking(marking_, std::try_to_lock);
  if (!marking.owns_lock() || !replica_has_every_journaled_write()) return false;
  CDR_RETURN_IF_ERROR(bitmap_->ClearAll());
  return true;
}

}  // namespace cdr::agent
