// What a listener decides from a request's method and headers alone, before it reads any of the body:
// cpprest hands a request over as soon as its headers are parsed and keeps reading the body into memory
// behind it, so a refusal here is what keeps an unauthenticated or oversized body from being buffered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/api/control_router.h"

namespace cdr::agent::api {

// Every request body of the API is a small JSON object.
inline constexpr uint64_t kMaxBodyBytes = 64 << 10;
inline constexpr size_t kMaxHeaderBytes = 16 << 10;

struct RequestHead {
  std::string method;
  std::string authorization;   // empty when absent
  std::string cookie;          // the Cookie header; empty when absent
  std::string query;           // the request target's query string, undecoded
  std::string content_length;  // the header's value; empty when absent
  bool has_transfer_encoding = false;
  size_t header_bytes = 0;  // names and values of all headers
};

// What a listener accepts. The control API: its token, bodies up to kMaxBodyBytes, every method its router knows.
// The read-only endpoint (daemons' /metrics, the console): GET only, no body, a token when it has one.
struct HeadRules {
  std::string_view token;  // the bearer token every request must carry; empty: none is asked for
  uint64_t max_body_bytes = kMaxBodyBytes;
  bool get_only = false;   // any method but GET is 405
  // A browser may bring the token as the password of HTTP Basic (its login prompt), as ?token= or as the cookie
  // (bearer_auth.h); the 401 then challenges for Basic.
  bool browser_login = false;
};

// The refusal, or nullopt when the body may be read: 431 for huge headers, 405 for OPTIONS and TRACE (no
// body, nothing echoed) and, with get_only, for anything but GET, 401 without the token (challenging a browser
// for Basic credentials with browser_login), 400 for a chunked body
// or a bad Content-Length, 413 for a body over max_body_bytes.
std::optional<ApiResponse> RefusalFromHead(const RequestHead& head, const HeadRules& rules);

}  // namespace cdr::agent::api
