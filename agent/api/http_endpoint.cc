// The read-only listener over cpprest (opened by cpprest_listener.cc); the routing lives with the callers.
#include "agent/api/http_endpoint.h"

#include <cpprest/http_listener.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <optional>

#include "agent/api/bearer_auth.h"
#include "agent/api/cpprest_listener.h"
#include "agent/api/send_reply.h"

namespace cdr::agent::api {
namespace {

using web::http::http_request;

ApiResponse Plain(int status, const std::string& text) { return {status, "text/plain; charset=utf-8", text, {}}; }

void Reply(http_request request, const ApiResponse& api) { SendReply(std::move(request), api, "http"); }

}  // namespace

struct HttpEndpoint::Impl {
  HttpEndpointOptions options;
  HttpHandler handler;
  OpenedListener opened;
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
  if (impl_->opened.listener) return FailedPrecondition(o.name + ": already listening on " + address());
  PrepareTokenChecks();
  auto opened =
      OpenListener(o.name, o.host, o.port, [impl = impl_.get()](http_request request) { impl->Serve(std::move(request)); });
  if (!opened.ok()) return opened.status();
  impl_->opened = std::move(*opened);
  return Status::Ok();
}

void HttpEndpoint::Stop() {
  if (!impl_->opened.listener) return;
  CloseListener(impl_->options.name, &impl_->opened);
  std::unique_lock lock(impl_->mu);
  impl_->idle.wait(lock, [&] { return impl_->in_flight == 0; });
  lock.unlock();
  impl_->opened = {};
}

std::string HttpEndpoint::address() const {
  return impl_->options.host + ":" + std::to_string(impl_->opened.port);
}

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
