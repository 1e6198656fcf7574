// Moving an iovec array past bytes a short write (sendmsg, pwritev) already took, so the retry sends the rest.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>

namespace cdr {

// Skips `done` bytes: whole entries are dropped (`iov` and `count` move on), a partial one is trimmed in place.
inline void AdvanceIovec(struct iovec*& iov, int& count, size_t done) {
  while (count > 0 && done >= iov->iov_len) {
    done -= iov->iov_len;
    ++iov;
    --count;
  }
  if (count > 0) {
    iov->iov_base = static_cast<uint8_t*>(iov->iov_base) + done;
    iov->iov_len -= done;
  }
}

}  // namespace cdr
