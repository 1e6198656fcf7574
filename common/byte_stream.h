// A connected stream socket as the replication protocol uses it: whole writes, exact reads with an optional
// deadline, and a Shutdown that another thread may call to unblock both directions. One thread may read while
// another writes. PlainStream is TCP as it is (only with the operator's explicit `insecure = true`);
// TlsStream (common/tls_stream.h) is TLS 1.3 with mutual authentication over the same kind of socket.
#pragma once

#include <sys/uio.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "common/status.h"

namespace cdr {

using Deadline = std::chrono::steady_clock::time_point;
inline constexpr Deadline kNoDeadline = Deadline::max();

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // kUnavailable when the peer is gone, the socket was shut down or its send timeout passed.
  virtual Status WriteAll(std::span<const uint8_t> bytes) = 0;
  // Sends the iovecs in order, advancing them past what was taken.
  virtual Status WriteVecAll(struct iovec* iov, int count) = 0;
  // Exactly n bytes. kUnavailable on EOF, an error, the deadline, or (kNoDeadline) the socket's receive
  // timeout.
  virtual Status ReadAll(uint8_t* buf, size_t n, Deadline deadline) = 0;
  // What one receive gives: at least 1 and at most `max` bytes (a reader buffers ahead with it). The same
  // errors as ReadAll.
  virtual Result<size_t> ReadSome(uint8_t* buf, size_t max, Deadline deadline) = 0;
  // Both directions fail from now on, also in the calls other threads are blocked in.
  virtual void Shutdown() = 0;
  // Reads fail from now on (a reader blocked in one wakes); writes still go out.
  virtual void ShutdownRead() = 0;
  // true when a read would find bytes at once (in the socket or already decrypted).
  virtual bool InputWaiting() = 0;
  // How long a read without deadline waits for the next byte; 0: for ever.
  virtual void SetReceiveTimeout(std::chrono::milliseconds timeout) = 0;
};

// TCP without encryption or authentication. Blocking I/O; SO_RCVTIMEO/SO_SNDTIMEO of the socket apply.
class PlainStream final : public ByteStream {
 public:
  // owns: the destructor closes fd.
  PlainStream(int fd, bool owns) : fd_(fd), owns_(owns) {}
  ~PlainStream() override;
  PlainStream(const PlainStream&) = delete;
  PlainStream& operator=(const PlainStream&) = delete;

  Status WriteAll(std::span<const uint8_t> bytes) override;
  Status WriteVecAll(struct iovec* iov, int count) override;
  Status ReadAll(uint8_t* buf, size_t n, Deadline deadline) override;
  Result<size_t> ReadSome(uint8_t* buf, size_t max, Deadline deadline) override;
  void Shutdown() override;
  void ShutdownRead() override;
  bool InputWaiting() override;
  void SetReceiveTimeout(std::chrono::milliseconds timeout) override;

 private:
  const int fd_;
  const bool owns_;
};

// Waits until fd is readable (events POLLIN) or writable (POLLOUT), at most until `deadline` and at most
// `timeout` (0: none); kUnavailable naming `what` when either passes first.
Status WaitForSocket(int fd, short events, Deadline deadline, std::chrono::milliseconds timeout);

// SO_RCVTIMEO of a socket; 0: none.
void SetSocketReceiveTimeout(int fd, std::chrono::milliseconds timeout);

}  // namespace cdr
