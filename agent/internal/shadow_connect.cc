#include "agent/internal/shadow_connect.h"

#include "common/tcp_connect.h"
#include "common/tls_stream.h"

namespace cdr::agent::internal {
namespace {

// As long as the shadow gives an agent for its HELLO; also the bound on connecting.
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);

}  // namespace

Result<std::unique_ptr<ByteStream>> ConnectToShadow(const std::string& host, uint16_t port,
                                                    const TlsContext* tls) {
  const Deadline deadline = std::chrono::steady_clock::now() + kHandshakeTimeout;
  // The shadow answers every heartbeat, so 10 s without a frame means the link is gone.
  Result<int> fd = ConnectTcp(host, port, deadline, {.io_timeout = std::chrono::seconds(10)});
  if (!fd.ok()) return fd.status();
  if (tls == nullptr) return std::unique_ptr<ByteStream>(std::make_unique<PlainStream>(*fd, true));
  Result<std::unique_ptr<TlsStream>> stream = TlsHandshake(*fd, true, *tls, host, deadline);
  if (!stream.ok()) return stream.status();
  return std::unique_ptr<ByteStream>(std::move(*stream));
}

}  // namespace cdr::agent::internal
