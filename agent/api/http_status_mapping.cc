#include "agent/api/http_status_mapping.h"

#include <nlohmann/json.hpp>

namespace cdr::agent::api {
namespace {

// The agent's own message when the body is {"error": ...}; the raw body otherwise (a proxy's error page).
std::string AgentMessage(const std::string& body) {
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) {
    return parsed["error"].get<std::string>();
  }
  constexpr size_t kMaxQuoted = 200;
  return body.size() > kMaxQuoted ? body.substr(0, kMaxQuoted) + "…" : body;
}

}  // namespace

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kInvalidArgument:
      return 400;
    default:
      return 500;
  }
}

std::string ErrorBody(const std::string& message) { return nlohmann::json{{"error", message}}.dump(); }

Status StatusFromHttp(int http_status, const std::string& body, const std::string& address) {
  if (http_status >= 200 && http_status < 300) return Status::Ok();
  const std::string agent = "agent at " + address;
  switch (http_status) {
    case 401:
      return PermissionDenied(agent + " refused the token (HTTP 401)");
    case 409:
      return FailedPrecondition(AgentMessage(body));
    case 400:
      return InvalidArgument(agent + " refused the request: " + AgentMessage(body));
    default:
      return Internal(agent + ": HTTP " + std::to_string(http_status) + ": " + AgentMessage(body));
  }
}

}  // namespace cdr::agent::api
