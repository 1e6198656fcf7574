// One HTTP/1.1 request and its response over a connected ByteStream (plain TCP or TLS), the response parsed by
// the http-parser library. cdr's clients of its own HTTP APIs (the agents' control API) use it instead of a
// general HTTP client: they need one shared TLS context with only the estate's CA (common/tls_context_cache.h),
// connections kept open between requests, and hard bounds on what a peer can send back.
//
//   request ──write──► stream ──ReadSome──► http_parser ──► status, body, keep-alive?
//                                              │ header over max_header_bytes, body over max_body_bytes,
//                                              │ malformed, closed early, deadline passed
//                                              ▼
//                                        kUnavailable / kInternal naming why
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/byte_stream.h"
#include "common/status.h"

namespace cdr {

struct HttpRequest {
  std::string method;  // "GET", "POST", …
  std::string target;  // "/v1/status"
  std::string host;    // the Host header: "HOST:PORT"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent with Content-Length (also when empty for POST/PUT)
  std::string content_type = "application/json";
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // as received, names in the server's case
  std::string body;
  bool keep_alive = false;  // the connection may carry the next request

  // The first header of that name (case-insensitive); empty when there is none.
  std::string Header(std::string_view name) const;
};

struct HttpLimits {
  size_t max_header_bytes = 64 << 10;
  size_t max_body_bytes = 16 << 20;
};

struct HttpExchangeError {
  // true once any byte of the response arrived: the server saw the request, so it is not safe to send it again.
  bool response_started = false;
};

// kInvalidArgument when a header name, value or the target holds a line break (nothing is sent);
// kUnavailable when the stream fails, closes before the response is complete or the deadline passes;
// kInternal when the response is not HTTP/1.x or exceeds `limits`. `error` (optional) says how far it got.
Result<HttpResponse> HttpExchange(ByteStream& stream, const HttpRequest& request, Deadline deadline,
                                  const HttpLimits& limits = {}, HttpExchangeError* error = nullptr);

}  // namespace cdr
