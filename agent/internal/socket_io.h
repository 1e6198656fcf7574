// Exact reads and writes over an NBD connection's stream (plain TCP, or TLS after NBD_OPT_STARTTLS), as the
// handshake and the transmission phase use them, plus big-endian packing (NBD is big-endian on the wire).
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>

#include "common/byte_stream.h"

namespace cdr::agent::internal {

// false on EOF, error, or the stream's receive timeout (the peer is gone or the connection was shut down).
bool ReadFull(ByteStream& stream, void* buf, size_t n);
bool WriteFull(ByteStream& stream, const void* buf, size_t n);
// Sends all iovecs, modifying them as it goes.
bool WriteVecFull(ByteStream& stream, struct iovec* iov, int count);
// Reads and drops n bytes (the payload of a write that is refused).
bool Discard(ByteStream& stream, uint64_t n);

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
