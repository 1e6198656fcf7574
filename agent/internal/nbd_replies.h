// Replies of one NBD connection, sent by whichever worker finished the request. One mutex keeps the replies of
// concurrent requests from interleaving on the socket; each reply is one gathered write of header (+ payload).
// Simple replies for everything unless structured replies were negotiated, then READ answers with one
// OFFSET_DATA chunk (or an ERROR chunk) and BLOCK_STATUS with one BLOCK_STATUS chunk, each flagged DONE.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "agent/block_device.h"
#include "common/byte_stream.h"

namespace cdr::agent::internal {

class NbdReplies {
 public:
  NbdReplies(ByteStream& stream, bool structured) : stream_(stream), structured_(structured) {}

  // false: the socket failed, the connection is over.
  bool Simple(uint64_t cookie, uint32_t error);
  bool ReadData(uint64_t cookie, uint64_t offset, std::span<const uint8_t> data);
  bool ReadError(uint64_t cookie, uint32_t error);
  // Extents from the request's offset on, as base:allocation descriptors.
  bool BlockStatus(uint64_t cookie, uint32_t context_id, const std::vector<Extent>& extents);

 private:
  bool Chunk(uint64_t cookie, uint16_t type, std::span<const uint8_t> head, std::span<const uint8_t> data);

  ByteStream& stream_;
  const bool structured_;
  std::mutex send_mutex_;
};

}  // namespace cdr::agent::internal
