#include "agent/internal/socket_io.h"

#include <algorithm>

namespace cdr::agent::internal {

bool ReadFull(ByteStream& stream, void* buf, size_t n) {
  return stream.ReadAll(static_cast<uint8_t*>(buf), n, kNoDeadline).ok();
}

bool WriteFull(ByteStream& stream, const void* buf, size_t n) {
  return stream.WriteAll(std::span(static_cast<const uint8_t*>(buf), n)).ok();
}

bool WriteVecFull(ByteStream& stream, struct iovec* iov, int count) { return stream.WriteVecAll(iov, count).ok(); }

bool Discard(ByteStream& stream, uint64_t n) {
  uint8_t scratch[64 * 1024];
  while (n > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, sizeof scratch));
    if (!ReadFull(stream, scratch, chunk)) return false;
    n -= chunk;
  }
  return true;
}

}  // namespace cdr::agent::internal
