// Opening and closing a cpprest http_listener, for the two listeners cdr runs on it (the agent's control API and
// the read-only HttpEndpoint). Every method, OPTIONS and TRACE included, goes to the caller's handler: cpprest
// answers those two itself otherwise (200, TRACE echoing the request's headers, a bearer token among them).
// cpprest 2.10 keeps one acceptor per host:port for the whole process, and when opening a second listener on a
// host:port fails it erases the first one's acceptor too, leaving that listener dangling; so a host:port this
// process already listens on is never asked for again. A picked free port may be taken by another process
// before the bind: that is retried with another one.
#pragma once

#include <cpprest/http_listener.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "agent/api/control_router.h"
#include "agent/api/https_setup.h"
#include "agent/api/request_head.h"
#include "common/status.h"

namespace cdr::agent::api {

struct OpenedListener {
  std::unique_ptr<web::http::experimental::listener::http_listener> listener;
  uint16_t port = 0;
  std::string address;  // "HOST:PORT", IPv6 hosts in brackets
};

// `name` is for messages ("control API", "metrics"). host: an IPv4 literal (cpprest splits HOST:PORT at the
// first colon); port 0 picks a free one. With `ssl` the listener speaks HTTPS only (https_setup.h).
Result<OpenedListener> OpenListener(const std::string& name, const std::string& host, uint16_t port,
                                    std::function<void(web::http::http_request)> serve, const SslSetup& ssl = {});
// The method and headers of a request, for RefusalFromHead.
RequestHead HeadOf(const web::http::http_request& request);
// Replies with `refusal` without reading the body: cpprest keeps reading the body into the request's stream
// after handing the request over; closing that stream with an error stops the reading at the next chunk, and
// "Connection: close" drops whatever the client still sends once the reply is out.
void RefuseBeforeBody(const std::string& name, web::http::http_request request, ApiResponse refusal);

// Closes the listener (handlers still running are the caller's to wait for) and frees its host:port.
void CloseListener(const std::string& name, OpenedListener* opened);

}  // namespace cdr::agent::api
