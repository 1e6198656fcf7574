// The only server-side file of the provider protocol that includes cpprest (its Boost/asio headers are slow).
#include "providers/http/provider_server.h"

#include <cpprest/http_listener.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <optional>

#include "agent/api/bearer_auth.h"
#include "agent/api/cpprest_listener.h"
#include "agent/api/free_port.h"
#include "agent/api/request_head.h"
#include "agent/api/send_reply.h"
#include "providers/http/protocol.h"
#include "providers/http/provider_router.h"

namespace cdr::providers::http {
namespace {

using agent::api::ApiResponse;
using web::http::http_request;

constexpr const char* kName = "provider API";

// The head check's refusal with the protocol's error body, saying what to do.
ApiResponse ProtocolRefusal(ApiResponse refusal) {
  const ErrorCode code = ErrorCodeForHttpStatus(refusal.status);
  std::string message;
  switch (code) {
    case ErrorCode::kUnauthenticated:
      message = "send Authorization: Bearer TOKEN with the token of the provider's token file";
      break;
    case ErrorCode::kPayloadTooLarge:
      message = "request bodies are at most " + std::to_string(kMaxRequestBodyBytes) + " bytes";
      break;
    case ErrorCode::kUnsupportedCall:
      message = "OPTIONS and TRACE are not served";
      break;
    case ErrorCode::kUnavailable:
      message = "the provider is serving as many requests as it takes at once; retry after " +
                std::to_string(ProviderServerOptions::kRetryAfterSeconds) + " s (Retry-After)";
      break;
    default:
      message = "the request's head was refused (HTTP " + std::to_string(refusal.status) +
                "); send a Content-Length, no Transfer-Encoding and headers under 16 KiB";
  }
  refusal.content_type = "application/json";
  refusal.body = ErrorBody(code, message);
  return refusal;
}

std::vector<std::string> DecodedPath(const http_request& request) {
  std::vector<std::string> path;
  for (const std::string& segment : web::uri::split_path(request.relative_uri().path()))
    path.push_back(web::uri::decode(segment));
  return path;
}

}  // namespace

struct ProviderServer::Impl {
  Impl(ProviderServerOptions o, ResourceProvider* p) : options(std::move(o)), router(p) {}

  void Serve(http_request request) {
    agent::api::HeadRules rules{options.token, kMaxRequestBodyBytes};
    if (std::optional<ApiResponse> refusal = RefusalFromHead(agent::api::HeadOf(request), rules)) {
      agent::api::RefuseBeforeBody(kName, request, ProtocolRefusal(std::move(*refusal)));
      return;
    }
    std::shared_ptr<InFlight> in_flight = Admit();
    if (!in_flight) {
      ApiResponse busy{
          503, "", "", {{"Retry-After", std::to_string(ProviderServerOptions::kRetryAfterSeconds)}}};
      agent::api::RefuseBeforeBody(kName, request, ProtocolRefusal(std::move(busy)));
      return;
    }
    // Reads and deletes have no body: served on the listener's thread, without a hop to read nothing.
    if (request.headers().content_length() == 0 && request.method() != web::http::methods::POST) {
      Answer(request, {});
      return;
    }
    request.extract_vector().then(
        [this, request, in_flight](pplx::task<std::vector<unsigned char>> body) mutable {
          std::vector<unsigned char> bytes;
          try {
            bytes = body.get();
          } catch (const std::exception& e) {
            spdlog::debug("{}: {} {}: the body could not be read: {}", kName, request.method(),
                          request.relative_uri().path(), e.what());
            return;
          }
          Answer(request, std::string(bytes.begin(), bytes.end()));
          in_flight.reset();
        });
  }

  void Answer(http_request request, const std::string& body) {
    RouterReply reply;
    try {
      reply = router.Handle(request.method(), DecodedPath(request), body);
    } catch (const std::exception& e) {
      spdlog::error("{}: {} {} failed: {}", kName, request.method(), request.relative_uri().path(), e.what());
      reply = {500, ErrorBody(ErrorCode::kInternal, std::string("internal error: ") + e.what())};
    }
    agent::api::SendReply(request, ApiResponse{reply.status, "application/json", reply.body, {}}, kName);
  }

  // As the agent's control API: cpprest's close() does not wait for running handlers, which call the
  // provider. Admit() counts a request in, or refuses it (null) when max_in_flight are being served.
  struct InFlight {
    explicit InFlight(Impl* i) : impl(i) {}
    ~InFlight() {
      std::lock_guard lock(impl->mu);
      if (--impl->in_flight == 0) impl->done.notify_all();
    }
    Impl* impl;
  };

  std::shared_ptr<InFlight> Admit() {
    std::lock_guard lock(mu);
    if (in_flight >= options.max_in_flight) return nullptr;
    ++in_flight;
    return std::make_shared<InFlight>(this);
  }

  ProviderServerOptions options;
  ProviderRouter router;
  agent::api::OpenedListener opened;
  std::mutex mu;
  std::condition_variable done;
  int in_flight = 0;
};

ProviderServer::ProviderServer(ProviderServerOptions options, ResourceProvider* provider)
    : impl_(std::make_unique<Impl>(std::move(options), provider)) {}

ProviderServer::~ProviderServer() { Stop(); }

Status ProviderServer::Start() {
  const ProviderServerOptions& o = impl_->options;
  if (o.token.empty()) return InvalidArgument("provider API token: must not be empty");
  if (o.max_in_flight < 1) {
    return InvalidArgument("provider API: at most " + std::to_string(o.max_in_flight) +
                           " requests in flight would serve none; give 1 or more");
  }
  if (impl_->opened.listener) return FailedPrecondition("provider API: already listening on " + address());
  agent::api::PrepareTokenChecks();
  auto opened = agent::api::OpenListener(
      kName, o.host, o.port, [impl = impl_.get()](http_request request) { impl->Serve(std::move(request)); },
      o.tls ? agent::api::ListenerSslSetup(o.tls) : agent::api::SslSetup());
  if (!opened.ok()) return opened.status();
  impl_->opened = std::move(*opened);
  return Status::Ok();
}

void ProviderServer::Stop() {
  if (!impl_->opened.listener) return;
  agent::api::CloseListener(kName, &impl_->opened);
  std::unique_lock lock(impl_->mu);
  impl_->done.wait(lock, [&] { return impl_->in_flight == 0; });
  lock.unlock();
  spdlog::info("{}: stopped listening on {}", kName, address());
  impl_->opened = {};
}

std::string ProviderServer::address() const {
  return agent::api::HostForAddress(impl_->options.host) + ":" + std::to_string(impl_->opened.port);
}

}  // namespace cdr::providers::http
