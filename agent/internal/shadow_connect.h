// The replication sender's TCP connection to cdr-shadow.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace cdr::agent::internal {

// A connected socket to HOST:PORT (IPv4 literal) with send/receive timeouts and TCP_NODELAY; kUnavailable
// when the shadow does not answer.
Result<int> ConnectToShadow(const std::string& host, uint16_t port);

}  // namespace cdr::agent::internal
