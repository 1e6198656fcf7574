// TLS 1.3 over a connected TCP socket, with the peer verified during the handshake (common/tls_context.h).
// OpenSSL does not allow two threads in one SSL object, yet the replication stream is read by one thread
// while another writes: the socket is non-blocking, each SSL call runs under a mutex and returns at once, and
// the waiting for the socket (poll) happens outside the mutex.
//
// Records are written into a SendQueue (common/send_queue.h): a small write is sent before it returns, a bulk
// one leaves on the queue's sender thread while the caller encrypts the next records.
//
//   connected fd ──TlsHandshake (deadline)──► verified ──► TlsStream: ReadAll / WriteAll / WriteVecAll
//                        │ no/invalid certificate, wrong CA, wrong name, wrong role, too slow
//                        ▼
//                  kUnavailable "TLS handshake …: <why>"
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/byte_stream.h"
#include "common/send_queue.h"
#include "common/tls_context.h"

typedef struct ssl_st SSL;

namespace cdr {

class TlsStream final : public ByteStream {
 public:
  ~TlsStream() override;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  Status WriteAll(std::span<const uint8_t> bytes) override;
  // Records leave in batches of 256 KiB, many per send(). A call that wrote little returns once all is sent;
  // a bulk one once its last records are queued (a send failure is returned by the next call).
  Status WriteVecAll(struct iovec* iov, int count) override;
  Status ReadAll(uint8_t* buf, size_t n, Deadline deadline) override;
  Result<size_t> ReadSome(uint8_t* buf, size_t max, Deadline deadline) override;
  void Shutdown() override;
  void ShutdownRead() override;
  // Also what the read buffer holds and what OpenSSL decrypted and has not handed out yet.
  bool InputWaiting() override;
  void SetReceiveTimeout(std::chrono::milliseconds timeout) override;

  // The URIs in the verified peer certificate's subjectAltName (common/tls_identity.h gives them meaning).
  const std::vector<std::string>& peer_uris() const { return peer_uris_; }

 private:
  friend Result<std::unique_ptr<TlsStream>> TlsHandshake(int fd, bool owns, const TlsContext& context,
                                                         const std::string& peer_host, Deadline deadline);
  TlsStream(int fd, bool owns, SSL* ssl);
  // Runs one non-blocking SSL call under the mutex; waits outside it while the call wants the socket.
  template <typename Call>
  Status Retry(Call call, const char* what, Deadline deadline, std::chrono::milliseconds timeout,
               size_t* done);
  // SSL_write of all of `bytes` into the send queue (waiting while it is full); the caller holds
  // write_mutex_.
  Status Encrypt(std::span<const uint8_t> bytes);
  // The handshake is done: records go into send_queue_ from now on.
  Status UseSendQueue();

  const int fd_;
  const bool owns_;
  SSL* const ssl_;
  std::mutex ssl_mutex_;
  std::mutex write_mutex_;  // one writer at a time: a frame's pieces are not interleaved with another's
  // The socket's SO_RCVTIMEO / SO_SNDTIMEO (0: none), applied by polling: the socket is non-blocking.
  std::atomic<int64_t> receive_timeout_ms_{0};
  std::chrono::milliseconds send_timeout_{0};
  std::unique_ptr<SendQueue> send_queue_;
  std::vector<std::string> peer_uris_;
};

// TLS on the connected socket fd, made non-blocking. owns: the stream closes fd (also when the handshake
// fails); else the caller closes it once the stream is gone. A client (context role kClient) checks that the
// server's certificate names `peer_host` (an IP literal is matched against IP SANs, anything else against DNS
// names); a server takes any client certificate the CA signed and leaves the authorisation to the caller
// (peer_uris()). The whole handshake must be done by `deadline`.
Result<std::unique_ptr<TlsStream>> TlsHandshake(int fd, bool owns, const TlsContext& context,
                                                const std::string& peer_host, Deadline deadline);

}  // namespace cdr
