// The read-only listener over cpprest (opened by cpprest_listener.cc); the routing lives with the callers.
#include "agent/api/http_endpoint.h"

#include <cpprest/http_listener.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <optional>

#include "agent/api/bearer_auth.h"
#include "agent/api/cpprest_listener.h"
#include "agent/api/request_head.h"
#include "agent/api/send_reply.h"
#include "common/host_port.h"

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

  void Serve(http_request request) {
    // The limits are checked from the head, before the handler runs: the body is never read.
    const HeadRules rules{options.token, options.max_body_bytes, /*get_only=*/true, options.browser_login};
    const bool token_in_query = options.browser_login && QueryHasToken(request.relative_uri().query());
    if (std::optional<ApiResponse> refusal = RefusalFromHead(HeadOf(request), rules)) {
      RefuseBeforeBody(options.name, std::move(request), std::move(*refusal));
      return;
    }
    {
      std::lock_guard lock(mu);
      if (in_flight >= options.max_in_flight) {
        Reply(request, Plain(503, "busy\n"));
        return;
      }
      ++in_flight;
    }
    ApiResponse response;
    try {
      HttpRequest http;
      http.path = request.relative_uri().path();
      for (const auto& [k, v] : web::uri::split_query(request.relative_uri().query())) {
        http.query[web::uri::decode(k)] = web::uri::decode(v);
      }
      response = handler(http);
    } catch (const std::exception& e) {
      spdlog::error("{}: {} failed: {}", options.name, request.relative_uri().path(), e.what());  // the query may hold the token
      response = Plain(500, std::string("internal error: ") + e.what() + "\n");
    }
    if (token_in_query) {
      // The link with the token opens the page; the page's own requests then carry the cookie.
      response.headers.emplace_back(
          "Set-Cookie", std::string(kTokenCookie) + "=" + options.token + "; HttpOnly; SameSite=Strict; Path=/");
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
  Result<HostPort> where = SplitListenAddress(value);
  if (!where.ok()) return InvalidArgument("wants HOST:PORT, got " + value + " (" + where.status().message() + ")");
  options->host = where->host;
  options->port = where->port;
  return Status::Ok();
}

}  // namespace cdr::agent::api
