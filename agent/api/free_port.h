// A TCP port free on a local address right now. cpprest's http_listener cannot report the port it bound when
// given 0, so the control API picks one first and retries if someone else takes it in between.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace cdr::agent::api {

// host: an IPv4 or IPv6 address literal (brackets allowed); kInvalidArgument otherwise.
Result<uint16_t> PickFreePort(const std::string& host);

// "127.0.0.1" → "127.0.0.1", "::1" → "[::1]": the host part of a URI or a HOST:PORT address.
std::string HostForAddress(const std::string& host);

}  // namespace cdr::agent::api
