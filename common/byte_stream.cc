#include "common/byte_stream.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "common/iovec_cursor.h"

namespace cdr {

Status WaitForSocket(int fd, short events, Deadline deadline, std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    int64_t left_ms = 60000;
    if (deadline != kNoDeadline) {
      left_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
      if (left_ms <= 0) return Unavailable("peer too slow: deadline passed");
    }
    if (timeout.count() > 0) {
      const int64_t timeout_left =
          (timeout - std::chrono::duration_cast<std::chrono::milliseconds>(now - start)).count();
      if (timeout_left <= 0) {
        return Unavailable(std::string(events & POLLIN ? "receive" : "send") + " timed out after " +
                           std::to_string(timeout.count()) + " ms");
      }
      left_ms = std::min(left_ms, timeout_left);
    }
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left_ms, 60000)));
    if (r > 0) return Status::Ok();
    if (r < 0 && errno != EINTR) return Unavailable(std::string("poll: ") + std::strerror(errno));
  }
}

PlainStream::~PlainStream() {
  if (owns_) ::close(fd_);
}

Status PlainStream::WriteAll(std::span<const uint8_t> bytes) {
  const uint8_t* p = bytes.data();
  size_t n = bytes.size();
  while (n > 0) {
    ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return Unavailable(std::string("send: ") + std::strerror(errno));
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status PlainStream::WriteVecAll(struct iovec* iov, int count) {
  while (count > 0) {
    struct msghdr msg {};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(count);
    ssize_t w = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return Unavailable(std::string("send: ") + std::strerror(errno));
    AdvanceIovec(iov, count, static_cast<size_t>(w));
  }
  return Status::Ok();
}

Status PlainStream::ReadAll(uint8_t* buf, size_t n, Deadline deadline) {
  while (n > 0) {
    // Without a deadline the socket's own receive timeout applies.
    if (deadline != kNoDeadline) CDR_RETURN_IF_ERROR(WaitForSocket(fd_, POLLIN, deadline, {}));
    ssize_t r = ::recv(fd_, buf, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return Unavailable("connection closed by peer");
    if (r < 0) return Unavailable(std::string("recv: ") + std::strerror(errno));
    buf += r;
    n -= static_cast<size_t>(r);
  }
  return Status::Ok();
}

Result<size_t> PlainStream::ReadSome(uint8_t* buf, size_t max, Deadline deadline) {
  while (true) {
    if (deadline != kNoDeadline) CDR_RETURN_IF_ERROR(WaitForSocket(fd_, POLLIN, deadline, {}));
    ssize_t r = ::recv(fd_, buf, max, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return Unavailable("connection closed by peer");
    if (r < 0) return Unavailable(std::string("recv: ") + std::strerror(errno));
    return static_cast<size_t>(r);
  }
}

void PlainStream::Shutdown() { ::shutdown(fd_, SHUT_RDWR); }

void PlainStream::ShutdownRead() { ::shutdown(fd_, SHUT_RD); }

bool PlainStream::InputWaiting() {
  int pending = 0;
  return ::ioctl(fd_, FIONREAD, &pending) == 0 && pending > 0;
}

void PlainStream::SetReceiveTimeout(std::chrono::milliseconds timeout) { SetSocketReceiveTimeout(fd_, timeout); }

void SetSocketReceiveTimeout(int fd, std::chrono::milliseconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

}  // namespace cdr
