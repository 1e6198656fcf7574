// A provider's `url` as the protocol's client uses it: scheme, HOST:PORT and an optional path prefix under
// which the provider serves /v1/…, and the percent-encoding of the path segments (type, id, operation) put
// under it.
#pragma once

#include <string>

#include "common/host_port.h"
#include "common/status.h"

namespace cdr::providers::http::internal {

struct ProviderUrl {
  bool https = false;
  HostPort where;         // the port defaults to 80 (http) or 443 (https)
  std::string authority;  // HOST:PORT as written, for the Host header
  std::string prefix;     // "" or "/path" without a trailing slash
};

// kInvalidArgument saying why for anything but http://HOST[:PORT][/PREFIX] or https://… (no query, no
// fragment, no user info).
Result<ProviderUrl> ParseProviderUrl(const std::string& url);

// `segment` with everything but RFC 3986's unreserved characters percent-encoded ("a/b c" → "a%2Fb%20c").
std::string EncodeSegment(const std::string& segment);

}  // namespace cdr::providers::http::internal
