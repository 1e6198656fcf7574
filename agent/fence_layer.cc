#include "agent/fence_layer.h"

namespace cdr::agent {

Status FenceLayer::Refused(const char* what) const {
  return FailedPrecondition(std::string(what) + " refused: export " + export_name_ +
                            " is fenced (the server failed over to its DR host; reads still work)");
}

Status FenceLayer::Write(uint64_t offset, std::span<const uint8_t> data, bool fua) {
  auto admitted = fence_->Admit();
  if (!admitted.owns_lock()) return Refused("write");
  return next().Write(offset, data, fua);
}

Status FenceLayer::Trim(uint64_t offset, uint64_t length, bool fua) {
  auto admitted = fence_->Admit();
  if (!admitted.owns_lock()) return Refused("trim");
  return next().Trim(offset, length, fua);
}

Status FenceLayer::WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) {
  auto admitted = fence_->Admit();
  if (!admitted.owns_lock()) return Refused("write_zeroes");
  return next().WriteZeroes(offset, length, may_punch, fua);
}

}  // namespace cdr::agent
