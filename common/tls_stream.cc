#include "common/tls_stream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "common/tls_identity.h"

namespace cdr {
namespace {

// During the handshake records leave through a write buffer (one send() per flight) and, afterwards, through
// the stream's SendQueue (batches of 256 KiB).
constexpr int kHandshakeWriteBuffer = 64 << 10;
// Records arrive through a buffer of 256 KiB: one recv() for many records. Not OpenSSL's read-ahead: with
// read-ahead, every record begins with a memmove of all the bytes still buffered behind it to the front of
// the buffer (an alignment step in ssl3_read_n), so a 256 KiB read-ahead buffer moved each byte about 2.5
// times; from this buffer each byte is copied once.
constexpr int kReadBuffer = 256 << 10;

std::chrono::milliseconds SocketTimeout(int fd, int option) {
  timeval tv{};
  socklen_t len = sizeof tv;
  if (::getsockopt(fd, SOL_SOCKET, option, &tv, &len) != 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(int64_t{tv.tv_sec} * 1000 + tv.tv_usec / 1000);
}

bool IsIpLiteral(const std::string& host) {
  in6_addr scratch{};
  return ::inet_pton(AF_INET, host.c_str(), &scratch) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &scratch) == 1;
}

// OpenSSL's socket BIO writes with write(2): a peer that closed would raise SIGPIPE and kill the process.
// This one is the same BIO but sends with MSG_NOSIGNAL (EPIPE is an error like any other).
int SendWithoutSignal(BIO* bio, const char* data, size_t length, size_t* written) {
  BIO_clear_retry_flags(bio);
  const ssize_t n = ::send(BIO_get_fd(bio, nullptr), data, length, MSG_NOSIGNAL);
  if (n < 0) {
    if (BIO_sock_should_retry(static_cast<int>(n))) BIO_set_retry_write(bio);
    return 0;
  }
  *written = static_cast<size_t>(n);
  return 1;
}

const BIO_METHOD* SocketWithoutSignal() {
  static BIO_METHOD* const method = [] {
    const BIO_METHOD* socket = BIO_s_socket();
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "socket without SIGPIPE");
    BIO_meth_set_write_ex(m, SendWithoutSignal);
    BIO_meth_set_read(m, BIO_meth_get_read(socket));
    BIO_meth_set_puts(m, BIO_meth_get_puts(socket));
    BIO_meth_set_ctrl(m, BIO_meth_get_ctrl(socket));
    BIO_meth_set_create(m, BIO_meth_get_create(socket));
    BIO_meth_set_destroy(m, BIO_meth_get_destroy(socket));
    return m;
  }();
  return method;
}

// The write side after the handshake: records go into the stream's SendQueue. A flush (OpenSSL's own, after
// an alert) hands them to the queue's sender thread, since it may come from a thread inside SSL_read.
int AppendToQueue(BIO* bio, const char* data, size_t length, size_t* written) {
  static_cast<SendQueue*>(BIO_get_data(bio))->Append(reinterpret_cast<const uint8_t*>(data), length);
  *written = length;
  return 1;
}

long ControlQueue(BIO* bio, int command, long, void*) {
  if (command != BIO_CTRL_FLUSH) return 0;
  static_cast<SendQueue*>(BIO_get_data(bio))->SubmitInBackground();
  return 1;
}

const BIO_METHOD* SendQueueSink() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "cdr send queue");
    BIO_meth_set_write_ex(m, AppendToQueue);
    BIO_meth_set_ctrl(m, ControlQueue);
    return m;
  }();
  return method;
}

// Why a handshake failed, in the words an operator can act on.
std::string HandshakeFailure(SSL* ssl, int error) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  }
  if (error == SSL_ERROR_SYSCALL) return TakeOpenSslErrors("the peer closed the connection");
  return TakeOpenSslErrors("TLS error " + std::to_string(error));
}

}  // namespace

TlsStream::TlsStream(int fd, bool owns, SSL* ssl)
    : fd_(fd),
      owns_(owns),
      ssl_(ssl),
      receive_timeout_ms_(SocketTimeout(fd, SO_RCVTIMEO).count()),
      send_timeout_(SocketTimeout(fd, SO_SNDTIMEO)) {}

TlsStream::~TlsStream() {
  SSL_free(ssl_);
  send_queue_.reset();  // the last records leave before the socket is closed
  if (owns_) ::close(fd_);
}

Status TlsStream::UseSendQueue() {
  send_queue_ = std::make_unique<SendQueue>(fd_, send_timeout_);
  BIO* sink = BIO_new(SendQueueSink());
  if (sink == nullptr) return Internal(TakeOpenSslErrors("TLS setup failed"));
  BIO_set_data(sink, send_queue_.get());
  BIO_set_init(sink, 1);
  SSL_set0_wbio(ssl_, sink);  // frees the handshake's write buffer, which the handshake left empty
  return Status::Ok();
}

template <typename Call>
Status TlsStream::Retry(Call call, const char* what, Deadline deadline, std::chrono::milliseconds timeout,
                        size_t* done) {
  while (true) {
    int error;
    std::string detail;
    {
      std::lock_guard lock(ssl_mutex_);
      ERR_clear_error();
      const int rc = call(done);
      if (rc == 1) return Status::Ok();
      error = SSL_get_error(ssl_, rc);
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
        detail = error == SSL_ERROR_ZERO_RETURN ? "connection closed by peer"
                 : error == SSL_ERROR_SYSCALL   ? TakeOpenSslErrors("connection closed by peer")
                                                : TakeOpenSslErrors("TLS error " + std::to_string(error));
      }
    }
    if (!detail.empty()) return Unavailable(std::string(what) + ": " + detail);
    CDR_RETURN_IF_ERROR(
        WaitForSocket(fd_, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, timeout));
  }
}

Status TlsStream::WriteAll(std::span<const uint8_t> bytes) {
  std::lock_guard lock(write_mutex_);
  CDR_RETURN_IF_ERROR(Encrypt(bytes));
  return send_queue_->Submit();
}

// Each piece becomes records of its own, encrypted straight from the caller's buffer: a 32-byte frame header
// is a small record, which costs 22 bytes and one AES-GCM call now that records leave in batches rather than
// a send() each, and is cheaper than gathering the pieces into one copy first.
Status TlsStream::WriteVecAll(struct iovec* iov, int count) {
  std::lock_guard lock(write_mutex_);
  for (int i = 0; i < count; ++i) {
    CDR_RETURN_IF_ERROR(Encrypt({static_cast<const uint8_t*>(iov[i].iov_base), iov[i].iov_len}));
  }
  return send_queue_->Submit();
}

Status TlsStream::Encrypt(std::span<const uint8_t> bytes) {
  const uint8_t* p = bytes.data();
  size_t n = bytes.size();
  while (n > 0) {
    // One record per SSL_write (partial writes): the queue never holds much more than its bound.
    CDR_RETURN_IF_ERROR(send_queue_->WaitForRoom());
    size_t written = 0;
    const size_t chunk = n;
    CDR_RETURN_IF_ERROR(Retry([&](size_t* done) { return SSL_write_ex(ssl_, p, chunk, done); }, "TLS send",
                              kNoDeadline, send_timeout_, &written));
    p += written;
    n -= written;
  }
  return Status::Ok();
}

Status TlsStream::ReadAll(uint8_t* buf, size_t n, Deadline deadline) {
  while (n > 0) {
    size_t got = 0;
    CDR_RETURN_IF_ERROR(Retry([&](size_t* done) { return SSL_read_ex(ssl_, buf, n, done); }, "TLS receive",
                              deadline, std::chrono::milliseconds(receive_timeout_ms_.load()), &got));
    buf += got;
    n -= got;
  }
  return Status::Ok();
}

Result<size_t> TlsStream::ReadSome(uint8_t* buf, size_t max, Deadline deadline) {
  size_t got = 0;
  bool closed = false;
  Status s = Retry(
      [&](size_t* done) {
        const int rc = SSL_read_ex(ssl_, buf, max, done);
        // An orderly close (close_notify) is the end of the stream, not a failure.
        closed = rc != 1 && SSL_get_error(ssl_, rc) == SSL_ERROR_ZERO_RETURN;
        return closed ? 1 : rc;
      },
      "TLS receive", deadline, std::chrono::milliseconds(receive_timeout_ms_.load()), &got);
  if (!s.ok()) return s;
  return closed ? 0 : got;
}

void TlsStream::Shutdown() { ::shutdown(fd_, SHUT_RDWR); }

void TlsStream::ShutdownRead() { ::shutdown(fd_, SHUT_RD); }

bool TlsStream::InputWaiting() {
  {
    std::lock_guard lock(ssl_mutex_);
    if (SSL_pending(ssl_) > 0 || BIO_ctrl_pending(SSL_get_rbio(ssl_)) > 0) return true;
  }
  int pending = 0;
  return ::ioctl(fd_, FIONREAD, &pending) == 0 && pending > 0;
}

void TlsStream::SetReceiveTimeout(std::chrono::milliseconds timeout) { receive_timeout_ms_ = timeout.count(); }

Result<std::unique_ptr<TlsStream>> TlsHandshake(int fd, bool owns, const TlsContext& context,
                                                const std::string& peer_host, Deadline deadline) {
  const int flags = ::fcntl(fd, F_GETFL);
  SSL* ssl = SSL_new(context.get());
  // Records are read through a buffer (many per recv) and, during the handshake, written through one that the
  // handshake flushes: OpenSSL reads a 5-byte header and then the record, and sends each record with a write
  // of its own, otherwise.
  BIO* in_socket = BIO_new(SocketWithoutSignal());
  BIO* in = BIO_new(BIO_f_buffer());
  BIO* out_socket = BIO_new(SocketWithoutSignal());
  BIO* out = BIO_new(BIO_f_buffer());
  if (ssl == nullptr || in_socket == nullptr || in == nullptr || out_socket == nullptr || out == nullptr ||
      flags < 0 || BIO_set_read_buffer_size(in, kReadBuffer) != 1 ||
      BIO_set_write_buffer_size(out, kHandshakeWriteBuffer) != 1 ||
      ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    BIO_free(in_socket);
    BIO_free(in);
    BIO_free(out_socket);
    BIO_free(out);
    SSL_free(ssl);
    if (owns) ::close(fd);
    return Internal(TakeOpenSslErrors("TLS setup failed"));
  }
  BIO_set_fd(in_socket, fd, BIO_NOCLOSE);
  BIO_set_fd(out_socket, fd, BIO_NOCLOSE);
  SSL_set_bio(ssl, BIO_push(in, in_socket), BIO_push(out, out_socket));
  std::unique_ptr<TlsStream> stream(new TlsStream(fd, owns, ssl));
  const bool client = context.role() == TlsRole::kClient;
  if (client) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int named = IsIpLiteral(peer_host) ? X509_VERIFY_PARAM_set1_ip_asc(param, peer_host.c_str())
                                             : X509_VERIFY_PARAM_set1_host(param, peer_host.c_str(), 0);
    if (named != 1) return InvalidArgument("TLS: cannot verify a peer named \"" + peer_host + "\"");
    if (!IsIpLiteral(peer_host)) SSL_set_tlsext_host_name(ssl, peer_host.c_str());
  }
  const std::string who = client ? "with " + peer_host : "from a client";
  while (true) {
    ERR_clear_error();
    const int rc = client ? SSL_connect(ssl) : SSL_accept(ssl);
    if (rc == 1) break;
    const int error = SSL_get_error(ssl, rc);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
      return Unavailable("TLS handshake " + who + " failed: " + HandshakeFailure(ssl, error));
    }
    if (Status s = WaitForSocket(fd, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, {});
        !s.ok()) {
      return Unavailable("TLS handshake " + who + " not done in time: " + s.message());
    }
  }
  X509* peer = SSL_get1_peer_certificate(ssl);
  if (peer == nullptr) return Unavailable("TLS handshake " + who + ": the peer sent no certificate");
  stream->peer_uris_ = CertificateUris(peer);
  X509_free(peer);
  CDR_RETURN_IF_ERROR(stream->UseSendQueue());
  return stream;
}

}  // namespace cdr
