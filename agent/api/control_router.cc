#include "agent/api/control_router.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "agent/api/bearer_auth.h"
#include "agent/api/control_json.h"
#include "agent/api/http_status_mapping.h"
#include "agent/api/metrics_text.h"

namespace cdr::agent::api {
namespace {

constexpr const char* kJson = "application/json";

struct Route {
  const char* path;
  const char* method;
};

constexpr Route kRoutes[] = {
    {"/v1/status", "GET"},
    {"/v1/replication/start", "POST"},
    {"/v1/replication/stop", "POST"},
    {"/v1/replication/restart", "POST"},
    {"/v1/replication/repair", "POST"},
    {"/v1/replication/verify", "POST"},
    {"/v1/settings", "POST"},
    {"/v1/fence", "POST"},
    {"/v1/unfence", "POST"},
    {"/metrics", "GET"},
};

ApiResponse Error(int status, const std::string& message) { return {status, kJson, ErrorBody(message), {}}; }

ApiResponse Refused(const Status& status) { return Error(HttpStatusFor(status.code()), status.message()); }

}  // namespace

ControlRouter::ControlRouter(std::string token, ReplicationControl* control)
    : token_(std::move(token)), control_(control) {}

ApiResponse ControlRouter::Handle(const ApiRequest& request) const {
  // Authentication comes before routing so an unauthenticated client learns nothing, not even which paths
  // exist.
  if (!BearerTokenMatches(request.authorization, token_)) {
    spdlog::warn("control API: {} {} refused: {} bearer token", request.method, request.path,
                 request.authorization.empty() ? "no" : "wrong");
    return {401, "", "", {{"WWW-Authenticate", "Bearer"}}};
  }
  const Route* route = nullptr;
  for (const auto& r : kRoutes) {
    if (request.path == r.path) route = &r;
  }
  if (!route) return Error(404, "no such endpoint: " + request.path);
  if (request.method != route->method) {
    ApiResponse response = Error(405, request.method + " is not allowed on " + request.path);
    response.headers.emplace_back("Allow", route->method);
    return response;
  }
  if (request.path == "/v1/status") return StatusResponse();
  if (request.path == "/metrics") return MetricsResponse();
  if (request.path == "/v1/settings") return CommandResponse("settings", request.body);
  if (request.path == "/v1/fence" || request.path == "/v1/unfence") return CommandResponse(request.path.substr(4), "");
  const std::string prefix = "/v1/replication/";
  return CommandResponse(request.path.substr(prefix.size()), request.body);
}

ApiResponse ControlRouter::StatusResponse() const {
  Result<AgentStatus> status = control_->GetStatus();
  if (!status.ok()) return Refused(status.status());
  return {200, kJson, ToJson(*status).dump(), {}};
}

ApiResponse ControlRouter::MetricsResponse() const {
  Result<AgentStatus> status = control_->GetStatus();
  if (!status.ok()) return Refused(status.status());
  return {200, std::string(kPrometheusContentType), RenderPrometheusMetrics(*status), {}};
}

ApiResponse ControlRouter::CommandResponse(const std::string& name, const std::string& body) const {
  Status result;
  if (name == "start") {
    auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return Error(400, "invalid replication target: the body is not valid JSON");
    Result<ReplicationTarget> target = ReplicationTargetFromJson(json);
    if (!target.ok()) return Refused(target.status());
    spdlog::info("control API: start replication of {} to {} (sync_mode={}, auto_restart={})",
                 target->server_id, target->shadow_address, target->sync_mode, target->auto_restart);
    result = control_->Start(*target);
  } else if (name == "stop") {
    spdlog::info("control API: stop replication");
    result = control_->Stop();
  } else if (name == "restart") {
    spdlog::info("control API: restart replication");
    result = control_->Restart();
  } else if (name == "verify") {
    auto json = body.empty() ? nlohmann::json::object() : nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded()) return Error(400, "invalid verify request: the body is not valid JSON");
    Result<VerifyRequest> request = VerifyRequestFromJson(json);
    if (!request.ok()) return Refused(request.status());
    spdlog::info("control API: online verify of {}", request->bytes == 0 ? std::string("the whole disks")
                                                                        : std::to_string(request->bytes) + " bytes");
    result = control_->Verify(*request);
  } else if (name == "settings") {
    auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return Error(400, "invalid settings: the body is not valid JSON");
    Result<SettingsUpdate> update = SettingsUpdateFromJson(json);
    if (!update.ok()) return Refused(update.status());
    spdlog::info("control API: settings {}", json.dump());
    result = control_->SetSettings(*update);
  } else if (name == "fence") {
    spdlog::warn("control API: fence: the exports refuse writes from now on");
    result = control_->Fence();
  } else if (name == "unfence") {
    spdlog::warn("control API: unfence: the exports accept writes again");
    result = control_->Unfence();
  } else {
    spdlog::info("control API: repair replication");
    result = control_->Repair();
  }
  if (!result.ok()) {
    spdlog::warn("control API: {} refused: {}", name, result.ToString());
    return Refused(result);
  }
  // The command was carried out; failing to read the status afterwards must not make the caller believe it
  // was not, hence 202 either way.
  Result<AgentStatus> status = control_->GetStatus();
  if (!status.ok())
    return {202, kJson, nlohmann::json{{"status_error", status.status().ToString()}}.dump(), {}};
  return {202, kJson, ToJson(*status).dump(), {}};
}

}  // namespace cdr::agent::api
