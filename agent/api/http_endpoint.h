// A small, bounded, read-only HTTP server over cpprestsdk for what cdr exposes besides the agent's control API:
// the /metrics of cdr-shadow and cdr-dr-disk, and cdr serve's console. The head is checked before anything
// else, with the control API's rules (request_head.h): only GET is served, headers over 16 KiB are 431, a
// chunked body 400, a body larger than max_body_bytes 413 unread; and beyond max_in_flight concurrent requests
// the endpoint answers 503 instead of queueing, so a slow or hostile client cannot grow the process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "agent/api/control_router.h"
#include "common/status.h"

namespace cdr::agent::api {

struct HttpEndpointOptions {
  std::string host = "127.0.0.1";  // an IPv4 address literal
  uint16_t port = 0;               // 0: a free port is picked
  std::string token;               // when set, every request needs "Authorization: Bearer TOKEN" (401)
  bool browser_login = false;      // a browser may bring the token otherwise (request_head.h HeadRules)
  uint64_t max_body_bytes = 0;     // GET needs none
  int max_in_flight = 8;
  std::string name = "http";       // for the logs ("metrics", "console")
};

struct HttpRequest {
  std::string path;                          // without the query string
  std::map<std::string, std::string> query;  // decoded
};

// Called on cpprest's threads, possibly several at once.
using HttpHandler = std::function<ApiResponse(const HttpRequest&)>;

class HttpEndpoint {
 public:
  HttpEndpoint(HttpEndpointOptions options, HttpHandler handler);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  Status Start();
  // Closes the listener and waits for the handlers still running.
  void Stop();
  std::string address() const;  // "127.0.0.1:PORT" once started

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "HOST:PORT" with an IPv4 literal and a port (0 allowed) into options; kInvalidArgument otherwise.
Status ParseListenAddress(const std::string& value, HttpEndpointOptions* options);

}  // namespace cdr::agent::api
