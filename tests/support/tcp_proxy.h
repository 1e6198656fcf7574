// A TCP proxy on 127.0.0.1 between a replication sender and its shadow, for link faults: Cut() drops every
// connection and refuses new ones until Restore(); FlipByteAt(n) corrupts the n-th byte (counted from now) that
// goes towards the target; Retarget(port) sends new connections to a restarted target, so a restarted shadow
// needs no fixed port (another test could take the freed one meanwhile). Header-only so any test executable
// can use it without a build change.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <list>
#include <mutex>
#include <thread>

namespace cdr::testing {

class TcpProxy {
 public:
  explicit TcpProxy(int target_port) : target_port_(target_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr = Loopback(0);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 16) != 0)
      return;
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~TcpProxy() {
    stopping_ = true;
    if (accept_thread_.joinable()) accept_thread_.join();
    ::close(listen_fd_);
    std::lock_guard lock(mutex_);
    for (std::thread& t : pumps_) t.join();
  }
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  void Cut() {
    cut_ = true;
    ++generation_;  // pumps of older generations close their sockets
  }
  void Restore() { cut_ = false; }
  void Retarget(int target_port) { target_port_ = target_port; }
  void FlipByteAt(uint64_t n) { flip_at_ = forwarded_ + n; }
  uint64_t connections() const { return connections_; }

 private:
  static sockaddr_in Loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    return addr;
  }

  void AcceptLoop() {
    while (!stopping_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      if (cut_) {
        ::close(client);
        continue;
      }
      int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in addr = Loopback(target_port_);
      if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(server);
        ::close(client);
        continue;
      }
      ++connections_;
      std::lock_guard lock(mutex_);
      pumps_.emplace_back([this, client, server, generation = generation_.load()] {
        Pump(client, server, generation);
      });
    }
  }

  void Pump(int client, int server, uint64_t generation) {
    char buffer[65536];
    while (!stopping_ && generation_ == generation) {
      pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (::poll(p, 2, 50) <= 0) continue;
      bool closed = false;
      for (int i = 0; i < 2 && !closed; ++i) {
        if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = ::recv(p[i].fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
          closed = true;
          break;
        }
        if (i == 0) {  // towards the target
          const uint64_t start = forwarded_.fetch_add(static_cast<uint64_t>(n));
          const uint64_t flip = flip_at_;
          if (flip >= start && flip < start + static_cast<uint64_t>(n)) {
            buffer[flip - start] ^= 0x5a;
            flip_at_ = UINT64_MAX;
          }
        }
        const int to = i == 0 ? server : client;
        for (ssize_t done = 0; done < n && !closed;) {
          ssize_t w = ::send(to, buffer + done, static_cast<size_t>(n - done), MSG_NOSIGNAL);
          if (w <= 0) closed = true;
          done += w;
        }
      }
      if (closed) break;
    }
    ::shutdown(client, SHUT_RDWR);
    ::shutdown(server, SHUT_RDWR);
    ::close(client);
    ::close(server);
  }

  std::atomic<int> target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> cut_{false};
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> forwarded_{0};
  std::atomic<uint64_t> flip_at_{UINT64_MAX};
  std::atomic<uint64_t> connections_{0};
  std::thread accept_thread_;
  std::mutex mutex_;
  std::list<std::thread> pumps_;
};

}  // namespace cdr::testing
