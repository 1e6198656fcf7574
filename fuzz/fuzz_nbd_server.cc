// cdr-agent's NBD server as a hostile client sees it: the input is everything the client sends on one TCP
// connection (handshake options, then requests), fed to a real NbdServer on 127.0.0.1 over a 1 MiB file. The
// server must answer or close, never crash, hang past its timeouts or touch memory it does not own.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "agent/file_backend.h"
#include "agent/nbd_server.h"
#include "fuzz/fuzz_target.h"

namespace {

namespace fs = std::filesystem;

struct Server {
  std::unique_ptr<cdr::agent::FileBackend> disk;
  std::unique_ptr<cdr::agent::NbdServer> nbd;
};

// One server for the whole run (a leak sanitizer sees it as reachable): starting one per input would measure
// thread creation, not the parser.
Server* TheServer() {
  static Server* server = [] {
    auto* s = new Server;
    const fs::path image = fs::temp_directory_path() / ("cdr-fuzz-nbd-" + std::to_string(::getpid()) + ".img");
    if (::truncate(image.c_str(), 1 << 20) != 0) {
      FILE* f = std::fopen(image.c_str(), "w");
      if (f) std::fclose(f);
      (void)::truncate(image.c_str(), 1 << 20);
    }
    auto disk = cdr::agent::FileBackend::Open(image);
    if (!disk.ok()) std::abort();
    std::error_code ec;
    fs::remove(image, ec);  // the open file is enough
    s->disk = std::move(*disk);
    cdr::agent::NbdServerOptions options;
    options.handshake_timeout_seconds = 2;
    options.idle_timeout_seconds = 2;
    s->nbd = std::make_unique<cdr::agent::NbdServer>(
        std::vector<cdr::agent::NbdExport>{{"vda", "fuzz", s->disk.get()}}, options);
    if (!s->nbd->Start().ok()) std::abort();
    return s;
  }();
  return server;
}

int Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return fd;
  if (fd >= 0) ::close(fd);
  return -1;
}

// Sends the input while draining the replies (a server blocked on a full socket must not stall the sender),
// then half-closes and reads until the server closes or 5 s pass.
void Exchange(int fd, const uint8_t* data, size_t size) {
  size_t sent = 0;
  bool write_open = true;
  uint8_t sink[64 << 10];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (write_open && sent == size) {
      ::shutdown(fd, SHUT_WR);
      write_open = false;
    }
    pollfd p{fd, static_cast<short>(POLLIN | (write_open ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, 100) < 0) return;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = ::recv(fd, sink, sizeof sink, 0);
      if (n <= 0) return;  // the server closed: done
    }
    if (write_open && (p.revents & POLLOUT)) {
      const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno != EAGAIN) write_open = false;
      if (n > 0) sent += static_cast<size_t>(n);
    }
  }
}

int FuzzNbdServer(const uint8_t* data, size_t size) {
  if (size > (1 << 20)) return 0;
  const int fd = Connect(TheServer()->nbd->port());
  if (fd < 0) return 0;
  Exchange(fd, data, size);
  ::close(fd);
  return 0;
}

}  // namespace

CDR_FUZZ_TARGET("nbd_server", FuzzNbdServer)
