// Replies of one NBD connection, sent by whichever worker finished the request, never interleaved on the
// socket. A reply that finishes while another worker is sending is not waited for: it is copied behind the
// replies already pending and the worker goes back to reading requests; the sending worker takes everything
// pending before it lets go, in one send (flat combining). So replies that finish together cost one system
// call, and no worker sleeps on the socket for another one's reply. Only small replies are combined
// (kMaxCombinedReply: every write's, a 4 KiB read's); a bigger one waits for its turn and goes out as one
// gathered write of header and payload, as every reply did before.
//
//   reply ─► someone sending? ── no ──► send it ─► pending? ── yes ──► send them all ─┐
//                 │ yes (small)                        │ no ◄────────────────────────┘
//                 └─► append to pending, return        └─► done
//
// Simple replies for everything unless structured replies were negotiated, then READ answers with one
// OFFSET_DATA chunk (or an ERROR chunk) and BLOCK_STATUS with one BLOCK_STATUS chunk, each flagged DONE.
#pragma once

#include <sys/uio.h>

#include <condition_variable>
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

  // Replies up to this size (header and payload) are combined; a bigger one waits for the socket.
  static constexpr size_t kMaxCombinedReply = 64 * 1024 + 32;
  // Pending replies are bounded: a worker whose reply does not fit waits for the socket.
  static constexpr size_t kMaxPendingBytes = 1 << 20;

  // false: the socket failed, the connection is over (a combined reply reports the failure of any later
  // reply; the connection closes either way).
  bool Simple(uint64_t cookie, uint32_t error);
  bool ReadData(uint64_t cookie, uint64_t offset, std::span<const uint8_t> data);
  bool ReadError(uint64_t cookie, uint32_t error);
  // Extents from the request's offset on, as base:allocation descriptors.
  bool BlockStatus(uint64_t cookie, uint32_t context_id, const std::vector<Extent>& extents);

 private:
  bool Chunk(uint64_t cookie, uint16_t type, std::span<const uint8_t> head, std::span<const uint8_t> data);
  // Sends the reply in iov, or leaves it to the worker sending now.
  bool Send(struct iovec* iov, int count);

  ByteStream& stream_;
  const bool structured_;
  std::mutex mutex_;  // the fields below
  std::condition_variable turn_;  // a reply that cannot be combined waits for the socket
  bool sending_ = false;
  bool failed_ = false;
  std::vector<uint8_t> pending_;  // replies that finished while another one was sent
  std::vector<uint8_t> out_;      // pending_ taken by the sending worker (only while sending_)
};

}  // namespace cdr::agent::internal
