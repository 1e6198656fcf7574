#include "agent/internal/shadow_connect.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/tls_stream.h"

namespace cdr::agent::internal {
namespace {

// As long as the shadow gives an agent for its HELLO.
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);

}  // namespace

Result<std::unique_ptr<ByteStream>> ConnectToShadow(const std::string& host, uint16_t port,
                                                    const TlsContext* tls) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
    return InvalidArgument("not an IPv4 address: " + host);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unavailable(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Status s = Unavailable("connect " + host + ":" + std::to_string(port) + ": " + std::strerror(errno));
    ::close(fd);
    return s;
  }
  // The shadow answers every heartbeat, so 10 s without a frame means the link is gone.
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (tls == nullptr) return std::unique_ptr<ByteStream>(std::make_unique<PlainStream>(fd, true));
  Result<std::unique_ptr<TlsStream>> stream =
      TlsHandshake(fd, true, *tls, host, std::chrono::steady_clock::now() + kHandshakeTimeout);
  if (!stream.ok()) return stream.status();
  return std::unique_ptr<ByteStream>(std::move(*stream));
}

}  // namespace cdr::agent::internal
