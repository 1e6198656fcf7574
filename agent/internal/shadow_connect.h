// The replication sender's connection to cdr-shadow: TCP, then TLS 1.3 with this agent's certificate,
// verifying that the shadow host's certificate names the address connected to. Without a TLS context
// (insecure = true) the stream is plain TCP.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/byte_stream.h"
#include "common/status.h"
#include "common/tls_context.h"

namespace cdr::agent::internal {

// A connected stream to HOST:PORT (an IP literal or a name) with send/receive timeouts and TCP_NODELAY; kUnavailable
// when the shadow does not answer or the TLS handshake fails (the message says why: wrong CA, wrong name, …).
Result<std::unique_ptr<ByteStream>> ConnectToShadow(const std::string& host, uint16_t port,
                                                    const TlsContext* tls);

}  // namespace cdr::agent::internal
