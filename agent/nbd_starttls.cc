// NBD_OPT_STARTTLS (NBD proto.md, "TLS support"), as nbdkit --tls=require and qemu-nbd --tls-creds serve it: the
// server ACKs in clear, then both ends run the TLS handshake on the same socket and the option haggling starts
// again inside TLS. The client must present a certificate the estate's CA signed for a client (TlsContext of
// role kServer requires and verifies it), so an NBD export answers only holders of the estate's certificates.
#include <spdlog/spdlog.h>

#include <chrono>

#include "agent/internal/nbd_session.h"
#include "agent/nbd_protocol.h"
#include "common/tls_stream.h"

namespace cdr::agent::internal {

bool StartTls(int fd, std::unique_ptr<ByteStream>* stream, const NbdServer& server) {
  if (!SendOptionReply(**stream, static_cast<uint32_t>(nbd::Opt::kStartTls), nbd::kRepAck)) return false;
  const Deadline deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(server.options().handshake_timeout_seconds);
  Result<std::unique_ptr<TlsStream>> tls = TlsHandshake(fd, /*owns=*/false, *server.tls(), "", deadline);
  if (!tls.ok()) {
    spdlog::warn("nbd: {}", tls.status().message());
    return false;
  }
  *stream = std::move(*tls);
  return true;
}

}  // namespace cdr::agent::internal
