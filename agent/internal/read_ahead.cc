#include "agent/internal/read_ahead.h"

#include <algorithm>
#include <cstring>

#include "agent/internal/socket_io.h"

namespace cdr::agent::internal {

size_t ReadAhead::TakeBuffered(uint8_t* out, size_t n) {
  const size_t take = std::min(n, end_ - begin_);
  std::memcpy(out, buffer_.data() + begin_, take);
  begin_ += take;
  return take;
}

bool ReadAhead::Read(void* out, size_t n) {
  uint8_t* p = static_cast<uint8_t*>(out);
  const size_t taken = TakeBuffered(p, n);
  p += taken;
  n -= taken;
  if (n == 0) return true;
  begin_ = end_ = 0;  // everything read ahead was handed out
  if (n >= buffer_.size()) return ReadFull(stream_, p, n);
  // n < the buffer's size, and each round hands out all it received: the rest always fits behind end_.
  while (n > 0) {
    Result<size_t> got = stream_.ReadSome(buffer_.data() + end_, buffer_.size() - end_, kNoDeadline);
    if (!got.ok() || *got == 0) return false;  // 0: the client closed the connection
    end_ += *got;
    const size_t more = TakeBuffered(p, n);
    p += more;
    n -= more;
  }
  return true;
}

}  // namespace cdr::agent::internal
