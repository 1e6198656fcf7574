// Blocking socket helpers for the NBD connection threads: exact reads/writes that retry on EINTR and short
// transfers, plus big-endian packing (NBD is big-endian on the wire).
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>

namespace cdr::agent::internal {

// false on EOF or error (the peer is gone or the socket was shut down).
bool ReadFull(int fd, void* buf, size_t n);
bool WriteFull(int fd, const void* buf, size_t n);
// Sends all iovecs, modifying them as it goes.
bool WriteVecFull(int fd, struct iovec* iov, int count);
// Reads and drops n bytes (the payload of a write that is refused).
bool Discard(int fd, uint64_t n);

inline void PutU16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void PutU32(uint8_t* p, uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}
inline void PutU64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}
inline uint16_t GetU16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t GetU32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}
inline uint64_t GetU64(const uint8_t* p) { return uint64_t{GetU32(p)} << 32 | GetU32(p + 4); }

}  // namespace cdr::agent::internal
