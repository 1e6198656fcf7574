// A TCP connection to HOST:PORT that gives up at a deadline: the one way cdr's clients (the replication sender to
// cdr-shadow, cdr to an agent's control API) open a socket. HOST is an IP literal or a name (getaddrinfo); every
// address it resolves to is tried in turn until one answers or the deadline passes.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/byte_stream.h"
#include "common/status.h"

namespace cdr {

struct TcpOptions {
  // SO_RCVTIMEO / SO_SNDTIMEO of the connected socket (0: none).
  std::chrono::milliseconds io_timeout{0};
  bool no_delay = true;  // TCP_NODELAY: requests and frames are written whole
};

// A connected, blocking socket (close-on-exec) the caller owns; kUnavailable naming HOST:PORT and why
// (refused, unreachable, not resolvable, deadline passed).
Result<int> ConnectTcp(const std::string& host, uint16_t port, Deadline deadline, const TcpOptions& options);

}  // namespace cdr
