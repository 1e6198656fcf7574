#include "agent/nbd_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/internal/nbd_session.h"
#include "agent/io_status.h"
#include "common/byte_stream.h"

namespace cdr::agent {
NbdServer::NbdServer(std::vector<NbdExport> exports, NbdServerOptions options)
    : exports_(std::move(exports)), options_(std::move(options)) {}

NbdServer::~NbdServer() { Stop(); }

Status NbdServer::Start() {
  struct addrinfo hints {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  struct addrinfo* found = nullptr;
  const std::string port_text = std::to_string(options_.port);
  if (int rc = ::getaddrinfo(options_.host.c_str(), port_text.c_str(), &hints, &found); rc != 0) {
    return InvalidArgument("listen address " + options_.host + ": " + ::gai_strerror(rc));
  }
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(found);
    return ErrnoStatus("socket", errno);
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, 128) != 0) {
    int err = errno;
    ::freeaddrinfo(found);
    ::close(fd);
    return ErrnoStatus("bind/listen " + options_.host + ":" + port_text, err);
  }
  ::freeaddrinfo(found);
  struct sockaddr_storage bound {};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  listen_fd_ = fd;
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return Status::Ok();
}

std::string NbdServer::address() const {
  const bool v6 = options_.host.find(':') != std::string::npos;
  return (v6 ? "[" + options_.host + "]" : options_.host) + ":" + std::to_string(port_);
}

const NbdExport* NbdServer::FindExport(const std::string& name) const {
  if (name.empty()) return exports_.empty() ? nullptr : &exports_.front();
  for (const auto& e : exports_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

void NbdServer::AcceptLoop() {
  while (!stopping_) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (!stopping_) spdlog::error("nbd: accept failed: {}", std::strerror(errno));
      return;
    }
    // Small replies must not wait for Nagle: 4 KiB random-write latency depends on it.
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // A read that waits longer fails like a closed connection, which ends the connection's thread.
    SetSocketReceiveTimeout(fd, std::chrono::seconds(options_.handshake_timeout_seconds));
    std::lock_guard lock(mutex_);
    ReapFinished();
    if (stopping_ || !MakeRoom()) {
      spdlog::warn("nbd: refusing connection: {} connections already open", connections_.size());
      ::close(fd);
      continue;
    }
    auto connection = std::make_unique<Connection>();
    connection->fd = fd;
    Connection* raw = connection.get();
    connections_.push_back(std::move(connection));
    raw->thread = std::thread([this, raw] { Serve(raw); });
  }
}

bool NbdServer::MakeRoom() {
  int open = 0;
  Connection* oldest_handshaking = nullptr;
  for (const auto& c : connections_) {
    if (c->done || c->evicted) continue;
    ++open;
    if (oldest_handshaking == nullptr && c->in_handshake) oldest_handshaking = c.get();
  }
  if (open < options_.max_connections) return true;
  if (oldest_handshaking == nullptr) return false;
  spdlog::warn("nbd: {} connections open: closing the oldest one still in its handshake", open);
  oldest_handshaking->evicted = true;
  ::shutdown(oldest_handshaking->fd, SHUT_RDWR);
  return true;
}

void NbdServer::Serve(Connection* connection) {
  std::unique_ptr<ByteStream> stream = std::make_unique<PlainStream>(connection->fd, /*owns=*/false);
  internal::HandshakeResult handshake = internal::RunHandshake(connection->fd, &stream, *this);
  connection->in_handshake = false;
  if (handshake.chosen != nullptr) {
    stream->SetReceiveTimeout(std::chrono::seconds(options_.idle_timeout_seconds));
    internal::ServeTransmission(*stream, handshake);
  }
  stream.reset();
  // The fd is closed by whoever joins the thread, so Stop() never shuts down a reused descriptor.
  ::shutdown(connection->fd, SHUT_RDWR);
  connection->done = true;
}

void NbdServer::ReapFinished() {
  std::erase_if(connections_, [](std::unique_ptr<Connection>& c) {
    if (!c->done) return false;
    c->thread.join();
    ::close(c->fd);
    return true;
  });
}

void NbdServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (listen_fd_ >= 0) {
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    if (accept_thread_.joinable()) accept_thread_.join();
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  std::lock_guard lock(mutex_);
  for (auto& c : connections_) ::shutdown(c->fd, SHUT_RDWR);
  for (auto& c : connections_) {
    c->thread.join();
    ::close(c->fd);
  }
  connections_.clear();
}

}  // namespace cdr::agent
