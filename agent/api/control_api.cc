// Moves requests between cpprest's http_listener (opened by cpprest_listener.cc) and ControlRouter, which holds
// all the HTTP semantics. cpprest's Boost/asio headers are slow to compile: they stay in the agent/api sources.
#include "agent/api/control_api.h"

#include <cpprest/http_listener.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "agent/api/bearer_auth.h"
#include "agent/api/control_router.h"
#include "agent/api/cpprest_listener.h"
#include "agent/api/free_port.h"
#include "agent/api/http_status_mapping.h"
#include "agent/api/request_head.h"
#include "agent/api/send_reply.h"

namespace cdr::agent::api {
namespace {

using web::http::http_request;

void Reply(http_request request, const ApiResponse& api) { SendReply(std::move(request), api, "control API"); }

}  // namespace

struct ControlApi::Impl {
  Impl(ControlApiOptions o, ReplicationControl* c)
      : options(std::move(o)), control(c), router(options.token, c) {}

  void Serve(http_request request) {
    ApiRequest api;
    api.method = request.method();
    api.path = request.relative_uri().path();
    auto authorization = request.headers().find("Authorization");
    if (authorization != request.headers().end()) api.authorization = authorization->second;
    if (std::optional<ApiResponse> refusal = RefusalFromHead(HeadOf(request), HeadRules{options.token})) {
      RefuseBeforeBody("control API", request, std::move(*refusal));
      return;
    }
    auto in_flight = std::make_shared<InFlight>(this);
    request.extract_string(/*ignore_content_type=*/true)
        .then([this, request, api = std::move(api), in_flight](pplx::task<std::string> body) mutable {
          ApiResponse response;
          try {
            api.body = body.get();
            response = router.Handle(api);
          } catch (const std::exception& e) {
            spdlog::error("control API: {} {} failed: {}", api.method, api.path, e.what());
            response = {500, "application/json", ErrorBody(std::string("internal error: ") + e.what()), {}};
          }
          in_flight.reset();
          Reply(request, response);
        });
  }

  // cpprest's close() does not wait for handlers already running, and they call the control, which the owner
  // may destroy as soon as Stop() returns; so Stop() waits for them itself. One InFlight lives as long as a
  // request's handler may still run, on every path (a continuation that never runs is destroyed too).
  struct InFlight {
    explicit InFlight(Impl* i) : impl(i) {
      std::lock_guard lock(impl->requests_mu);
      ++impl->requests_in_flight;
    }
    ~InFlight() {
      std::lock_guard lock(impl->requests_mu);
      if (--impl->requests_in_flight == 0) impl->requests_done.notify_all();
    }
    Impl* impl;
  };

  void WaitForRequests() {
    std::unique_lock lock(requests_mu);
    if (requests_in_flight > 0)
      spdlog::debug("control API: waiting for {} request(s) to finish", requests_in_flight);
    requests_done.wait(lock, [&] { return requests_in_flight == 0; });
  }

  ControlApiOptions options;
  ReplicationControl* control;
  ControlRouter router;
  OpenedListener opened;
  std::mutex requests_mu;
  std::condition_variable requests_done;
  int requests_in_flight = 0;
};

ControlApi::ControlApi(ControlApiOptions options, ReplicationControl* control)
    : impl_(std::make_unique<Impl>(std::move(options), control)) {}

ControlApi::~ControlApi() { Stop(); }

Status ControlApi::Start() {
  const ControlApiOptions& o = impl_->options;
  if (o.token.empty()) return InvalidArgument("control API token: must not be empty");
  if (impl_->control == nullptr) return InvalidArgument("control API: no replication control to serve");
  if (impl_->opened.listener) return FailedPrecondition("control API: already listening on " + address());
  PrepareTokenChecks();
  auto opened = OpenListener("control API", o.host, o.port,
                             [impl = impl_.get()](http_request request) { impl->Serve(std::move(request)); },
                             o.tls ? ListenerSslSetup(o.tls) : SslSetup());
  if (!opened.ok()) return opened.status();
  impl_->opened = std::move(*opened);
  return Status::Ok();
}

void ControlApi::Stop() {
  if (!impl_->opened.listener) return;
  CloseListener("control API", &impl_->opened);
  impl_->WaitForRequests();
  spdlog::info("control API: stopped listening on {}", address());
  impl_->opened = {};
}

std::string ControlApi::address() const {
  return HostForAddress(impl_->options.host) + ":" + std::to_string(impl_->opened.port);
}

}  // namespace cdr::agent::api
