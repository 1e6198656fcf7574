#include "common/tcp_connect.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace cdr {
namespace {

void SetTimeouts(int fd, const TcpOptions& options) {
  if (options.io_timeout.count() > 0) {
    const auto ms = options.io_timeout.count();
    timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>(ms % 1000 * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  if (options.no_delay) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
}

// One address: a non-blocking connect waited for until the deadline, then the socket made blocking again.
Result<int> ConnectOne(const addrinfo& ai, Deadline deadline) {
  const int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai.ai_protocol);
  if (fd < 0) return Unavailable(std::string("socket: ") + std::strerror(errno));
  auto fail = [fd](const std::string& why) {
    ::close(fd);
    return Unavailable(why);
  };
  if (::connect(fd, ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) return fail(std::strerror(errno));
    if (Status s = WaitForSocket(fd, POLLOUT, deadline, {}); !s.ok()) return fail("not answering in time");
    int error = 0;
    socklen_t len = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
    if (error != 0) return fail(std::strerror(error));
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) return fail(std::strerror(errno));
  return fd;
}

}  // namespace

Result<int> ConnectTcp(const std::string& host, uint16_t port, Deadline deadline, const TcpOptions& options) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return Unavailable("connect " + where + ": cannot resolve the host: " + ::gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
  std::string why = "no address";
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    Result<int> fd = ConnectOne(*ai, deadline);
    if (fd.ok()) {
      SetTimeouts(*fd, options);
      return fd;
    }
    why = fd.status().message();
  }
  return Unavailable("connect " + where + ": " + why);
}

}  // namespace cdr
