// The only client-side file that includes cpprest (its Boost/asio headers are slow to compile).
#include "agent/api/agent_client.h"

#include <cpprest/http_client.h>

#include <nlohmann/json.hpp>

#include "agent/api/byte_body.h"
#include "agent/api/control_json.h"
#include "agent/api/http_status_mapping.h"
#include "agent/api/https_setup.h"

namespace cdr::agent::api {
namespace {

using web::http::client::http_client;
using web::http::client::http_client_config;

struct HttpReply {
  int status = 0;
  std::string body;
};

}  // namespace

struct AgentClient::Impl {
  Impl(std::string a, std::string t, const std::filesystem::path& tls_dir, std::chrono::milliseconds timeout)
      : address(std::move(a)), token(std::move(t)) {
    http_client_config config;
    config.set_timeout(timeout);
    if (!tls_dir.empty()) {
      auto tls = TlsContext::Load(TlsFilesIn(tls_dir, TlsRole::kClient), TlsRole::kClient);
      if (!tls.ok()) {
        construction_error = Status(tls.status().code(), "cdr's client certificate: " + tls.status().message());
        return;
      }
      config.set_ssl_context_callback(ClientSslSetup(*tls));
    }
    try {
      client = std::make_unique<http_client>((tls_dir.empty() ? "http://" : "https://") + address + "/", config);
    } catch (const std::exception& e) {
      construction_error = InvalidArgument("agent address \"" + address + "\": " + e.what());
    }
  }

  Result<HttpReply> Send(const web::http::method& method, const std::string& path, const std::string* body) {
    if (!client) return construction_error;
    web::http::http_request request(method);
    request.set_request_uri(path);
    request.headers().add("Authorization", "Bearer " + token);
    if (body) SetByteBody(request, *body, "application/json");
    try {
      web::http::http_response response = client->request(request).get();
      HttpReply reply{response.status_code(), response.extract_string(/*ignore_content_type=*/true).get()};
      return reply;
    } catch (const std::exception& e) {
      // Refused, reset, timed out, unresolvable: nothing says the agent acted, and retrying is the right
      // move.
      return Unavailable("agent at " + address + " is unreachable: " + method + " " + path + ": " + e.what());
    }
  }

  Status Command(const std::string& path, const std::string* body = nullptr) {
    Result<HttpReply> reply = Send(web::http::methods::POST, path, body);
    if (!reply.ok()) return reply.status();
    return StatusFromHttp(reply->status, reply->body, address);
  }

  std::string address;
  std::string token;
  std::unique_ptr<http_client> client;
  Status construction_error;
};

AgentClient::AgentClient(std::string address, std::string token, std::filesystem::path tls_dir,
                         std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(std::move(address), std::move(token), tls_dir, timeout)) {}

AgentClient::~AgentClient() = default;

Result<AgentStatus> AgentClient::GetStatus() {
  Result<HttpReply> reply = impl_->Send(web::http::methods::GET, "/v1/status", nullptr);
  if (!reply.ok()) return reply.status();
  CDR_RETURN_IF_ERROR(StatusFromHttp(reply->status, reply->body, impl_->address));
  auto json = nlohmann::json::parse(reply->body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Internal("agent at " + impl_->address + " sent a status that is not JSON");
  Result<AgentStatus> status = AgentStatusFromJson(json);
  if (!status.ok()) return Internal("agent at " + impl_->address + ": " + status.status().message());
  return status;
}

Status AgentClient::Start(const ReplicationTarget& target) {
  const std::string body = ToJson(target).dump();
  return impl_->Command("/v1/replication/start", &body);
}

Status AgentClient::Stop() { return impl_->Command("/v1/replication/stop"); }
Status AgentClient::Restart() { return impl_->Command("/v1/replication/restart"); }
Status AgentClient::Repair() { return impl_->Command("/v1/replication/repair"); }
Status AgentClient::Fence() { return impl_->Command("/v1/fence"); }
Status AgentClient::Unfence() { return impl_->Command("/v1/unfence"); }
Status AgentClient::Verify(const VerifyRequest& request) {
  const std::string body = nlohmann::json{{"bytes", request.bytes}}.dump();
  return impl_->Command("/v1/replication/verify", &body);
}

Status AgentClient::SetSettings(const SettingsUpdate& update) {
  const std::string body = ToJson(update).dump();
  return impl_->Command("/v1/settings", &body);
}

}  // namespace cdr::agent::api
