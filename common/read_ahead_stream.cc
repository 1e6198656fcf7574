#include "common/read_ahead_stream.h"

#include <algorithm>
#include <cstring>

namespace cdr {

size_t ReadAheadStream::TakeBuffered(uint8_t* out, size_t n) {
  const size_t take = std::min(n, end_ - begin_);
  std::memcpy(out, buffer_.data() + begin_, take);
  begin_ += take;
  return take;
}

Status ReadAheadStream::ReadAll(uint8_t* buf, size_t n, Deadline deadline) {
  const size_t taken = TakeBuffered(buf, n);
  buf += taken;
  n -= taken;
  if (n == 0) return Status::Ok();
  begin_ = end_ = 0;  // everything read ahead was handed out
  if (n >= buffer_.size()) return next_.ReadAll(buf, n, deadline);
  // n < the buffer's size, and each round hands out all it received: the rest always fits behind end_.
  while (n > 0) {
    Result<size_t> got = next_.ReadSome(buffer_.data() + end_, buffer_.size() - end_, deadline);
    if (!got.ok()) return got.status();
    if (*got == 0) return Unavailable("connection closed by peer");
    end_ += *got;
    const size_t more = TakeBuffered(buf, n);
    buf += more;
    n -= more;
  }
  return Status::Ok();
}

Result<size_t> ReadAheadStream::ReadSome(uint8_t* buf, size_t max, Deadline deadline) {
  if (begin_ < end_) return TakeBuffered(buf, max);
  return next_.ReadSome(buf, max, deadline);
}

}  // namespace cdr
