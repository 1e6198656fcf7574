// The read side of one NBD connection in its transmission phase: one receive takes up to kReadAheadBytes, so a
// burst of small requests (4 KiB writes at iodepth 16) costs one receive for several requests and their
// payloads instead of two receives each, and "is another request waiting?" is answered from the buffer before
// the socket is asked. A payload bigger than the buffer goes from the socket straight into the caller's buffer
// after what was read ahead. Used only by the holder of the connection's read side (one thread at a time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/byte_stream.h"

namespace cdr::agent::internal {

class ReadAhead {
 public:
  static constexpr size_t kReadAheadBytes = 64 * 1024;

  explicit ReadAhead(ByteStream& stream) : stream_(stream), buffer_(kReadAheadBytes) {}

  // Exactly n bytes; false on EOF, an error or the stream's receive timeout (the connection is over).
  bool Read(void* out, size_t n);
  // true when a Read would find bytes at once.
  bool InputWaiting() { return begin_ < end_ || stream_.InputWaiting(); }

 private:
  size_t TakeBuffered(uint8_t* out, size_t n);

  ByteStream& stream_;
  std::vector<uint8_t> buffer_;
  size_t begin_ = 0;  // [begin_, end_) read from the stream, not yet handed out
  size_t end_ = 0;
};

}  // namespace cdr::agent::internal
