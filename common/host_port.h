// HOST:PORT, the one parser of cdr's addresses: where a client connects (a shadow host, an agent's control API, a
// provider) and where a daemon listens (--listen, --api-listen, --metrics-listen). HOST is an IP literal or a name;
// an IPv6 literal is written in brackets ("[::1]:7000") and returned without them.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace cdr {

struct HostPort {
  std::string host;
  uint16_t port = 0;
};

// An address to connect to: port 1..65535. kInvalidArgument saying why when it is not HOST:PORT ("no port",
// "empty host", "unclosed IPv6 bracket", "an IPv6 host needs brackets", "port must be 1..65535").
Result<HostPort> SplitHostPort(const std::string& address);

// An address to listen on: the same rules, but port 0 (any free port, told back by the daemon's ready file) is
// allowed: "port must be 0..65535".
Result<HostPort> SplitListenAddress(const std::string& address);

}  // namespace cdr
