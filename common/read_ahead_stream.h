// A ByteStream that reads ahead: one receive takes up to kReadAheadBytes, so a burst of small messages (NBD
// requests of 4 KiB writes at iodepth 16, replication frames of one batch) costs one receive for several of
// them and their payloads instead of two receives each, and "is more input waiting?" is answered from the
// buffer before the socket is asked. A read bigger than the buffer goes from the stream straight into the
// caller's buffer after what was read ahead. Writes and shutdowns go to the wrapped stream unchanged (the
// shape of an nbdkit filter: only the reads are overridden). Reads by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/byte_stream.h"

namespace cdr {

class ReadAheadStream final : public ByteStream {
 public:
  static constexpr size_t kReadAheadBytes = 64 * 1024;

  // `next` must outlive this stream.
  explicit ReadAheadStream(ByteStream& next) : next_(next), buffer_(kReadAheadBytes) {}

  Status ReadAll(uint8_t* buf, size_t n, Deadline deadline) override;
  Result<size_t> ReadSome(uint8_t* buf, size_t max, Deadline deadline) override;
  bool InputWaiting() override { return begin_ < end_ || next_.InputWaiting(); }

  Status WriteAll(std::span<const uint8_t> bytes) override { return next_.WriteAll(bytes); }
  Status WriteVecAll(struct iovec* iov, int count) override { return next_.WriteVecAll(iov, count); }
  void Shutdown() override { next_.Shutdown(); }
  void ShutdownRead() override { next_.ShutdownRead(); }
  void SetReceiveTimeout(std::chrono::milliseconds timeout) override { next_.SetReceiveTimeout(timeout); }

 private:
  size_t TakeBuffered(uint8_t* out, size_t n);

  ByteStream& next_;
  std::vector<uint8_t> buffer_;
  size_t begin_ = 0;  // [begin_, end_) read from the stream, not yet handed out
  size_t end_ = 0;
};

}  // namespace cdr
