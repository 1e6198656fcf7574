// The second file that includes cpprest (after control_api.cc); the routing lives with the callers.
#include "agent/api/http_endpoint.h"

#include <cpprest/http_listener.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <optional>

#include "agent/api/bearer_auth.h"
#include "agent/api/free_port.h"
#include "agent/api/send_reply.h"

namespace cdr::agent::api {
namespace {

using web::http::http_request;
using web::http::http_response;
using web::http::experimental::listener::http_listener;

constexpr int kBindAttempts = 5;

ApiResponse Plain(int status, const std::string& text) { return {status, "text/plain; charset=utf-8", text, {}}; }

void Reply(http_request request, const ApiResponse& api) { SendReply(std::move(request), api, "http"); }

}  // namespace

struct HttpEndpoint::Impl {
  HttpEndpointOptions options;
  HttpHandler handler;
  std::unique_ptr<http_listener> listener;
  uint16_t port = 0;
  std::mutex mu;
  std::condition_variable idle;
  int in_flight = 0;

  // Checks the limits before the handler runs: the body is never read.
  std::optional<ApiResponse> Refusal(const http_request& request) const {
    if (request.method() != web::http::methods::GET) return Plain(405, "only GET is served\n");
    const auto& headers = request.headers();
    if (headers.has(web::http::header_names::content_length) &&
        headers.content_length() > options.max_body_bytes) {
      return Plain(413, "request body too large\n");
    }
    if (!options.token.empty()) {
      auto it = headers.find(web::http::header_names::authorization);
      if (it == headers.end() || !BearerTokenMatches(it->second, options.token)) {
        ApiResponse denied = Plain(401, "bearer token required\n");
        denied.headers.push_back({"WWW-Authenticate", "Bearer"});
        return denied;
      }
    }
    return std::nullopt;
  }

  void Serve(http_request request) {
    {
      std::lock_guard lock(mu);
      if (in_flight >= options.max_in_flight) {
        Reply(request, Plain(503, "busy\n"));
        return;
      }
      ++in_flight;
    }
    ApiResponse response;
    if (auto refused = Refusal(request)) {
      response = *refused;
    } else {
      try {
        HttpRequest http;
        http.path = request.relative_uri().path();
        for (const auto& [k, v] : web::uri::split_query(request.relative_uri().query())) {
          http.query[web::uri::decode(k)] = web::uri::decode(v);
        }
        response = handler(http);
      } catch (const std::exception& e) {
        spdlog::error("{}: {} failed: {}", options.name, request.relative_uri().to_string(), e.what());
        response = Plain(500, std::string("internal error: ") + e.what() + "\n");
      }
    }
    Reply(request, response);
    std::lock_guard lock(mu);
    if (--in_flight == 0) idle.notify_all();
  }
};

HttpEndpoint::HttpEndpoint(HttpEndpointOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

HttpEndpoint::~HttpEndpoint() { Stop(); }

Status HttpEndpoint::Start() {
  const HttpEndpointOptions& o = impl_->options;
  if (impl_->listener) return FailedPrecondition(o.name + ": already listening on " + address());
  PrepareTokenChecks();
  if (o.host.find(':') != std::string::npos) {
    return InvalidArgument(o.name + " host: \"" + o.host + "\" is IPv6; the HTTP listener needs an IPv4 address");
  }
  std::string last_error;
  for (int attempt = 0; attempt < kBindAttempts; ++attempt) {
    uint16_t port = o.port;
    if (port == 0) {
      Result<uint16_t> free = PickFreePort(o.host);
      if (!free.ok()) return free.status();
      port = *free;
    }
    const std::string uri = "http://" + o.host + ":" + std::to_string(port) + "/";
    try {
      auto listener = std::make_unique<http_listener>(uri);
      listener->support([impl = impl_.get()](http_request request) { impl->Serve(std::move(request)); });
      listener->open().wait();
      impl_->listener = std::move(listener);
      impl_->port = port;
      spdlog::info("{}: listening on {}", o.name, address());
      return Status::Ok();
    } catch (const std::exception& e) {
      last_error = e.what();
    }
    if (o.port != 0) break;
  }
  return Unavailable(o.name + ": cannot listen on " + o.host + ": " + last_error);
}

void HttpEndpoint::Stop() {
  if (!impl_->listener) return;
  try {
    impl_->listener->close().wait();
  } catch (const std::exception& e) {
    spdlog::warn("{}: closing the listener: {}", impl_->options.name, e.what());
  }
  std::unique_lock lock(impl_->mu);
  impl_->idle.wait(lock, [&] { return impl_->in_flight == 0; });
  lock.unlock();
  impl_->listener.reset();
  impl_->port = 0;
}

std::string HttpEndpoint::address() const { return impl_->options.host + ":" + std::to_string(impl_->port); }

Status ParseListenAddress(const std::string& value, HttpEndpointOptions* options) {
  const size_t colon = value.rfind(':');
  const std::string port = colon == std::string::npos ? "" : value.substr(colon + 1);
  if (colon == 0 || colon == std::string::npos || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
    return InvalidArgument("wants HOST:PORT, got " + value);
  }
  options->host = value.substr(0, colon);
  options->port = static_cast<uint16_t>(std::stoul(port));
  return Status::Ok();
}

}  // namespace cdr::agent::api
