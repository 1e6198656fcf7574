// The agent's control API from cdr's side: HTTP/1.1 (common/http_exchange.h) over TLS with the process's one
// client context (common/tls_context_cache.h), connections kept open between calls in the process's pool
// (common/connection_pool.h), so the clients a command makes for the same agent one after another share one.
#include "agent/api/agent_client.h"

#include <nlohmann/json.hpp>

#include "agent/api/control_json.h"
#include "agent/api/http_status_mapping.h"
#include "common/connection_pool.h"
#include "common/http_exchange.h"
#include "common/host_port.h"
#include "common/tcp_connect.h"
#include "common/tls_context_cache.h"
#include "common/tls_stream.h"

namespace cdr::agent::api {
namespace {

// A status lists a few fields per disk: 1 MiB is far more than any agent sends, and all a hostile one can make
// cdr hold.
constexpr HttpLimits kReplyLimits{.max_header_bytes = 64 << 10, .max_body_bytes = 1 << 20};

}  // namespace

struct AgentClient::Impl {
  Impl(std::string a, std::string t, const std::filesystem::path& tls_dir, std::chrono::milliseconds timeout)
      : address(std::move(a)), token(std::move(t)), timeout(timeout) {
    Result<HostPort> where = SplitHostPort(address);
    if (!where.ok()) {
      construction_error =
          InvalidArgument("agent address \"" + address + "\" is not HOST:PORT (" + where.status().message() + ")");
      return;
    }
    host_port = *where;
    pool_key = address;
    if (tls_dir.empty()) return;
    auto loaded = SharedTlsContext(tls_dir, TlsRole::kClient);
    if (!loaded.ok()) {
      construction_error = Status(loaded.status().code(), "cdr's client certificate: " + loaded.status().message());
      return;
    }
    tls = *loaded;
    pool_key = address + "\n" + tls_dir.string();
  }

  Result<PooledConnection> Connect(Deadline deadline) const {
    Result<int> fd = ConnectTcp(host_port.host, host_port.port, deadline, {.io_timeout = timeout});
    if (!fd.ok()) return fd.status();
    PooledConnection c;
    c.fd = *fd;
    if (!tls) {
      c.stream = std::make_unique<PlainStream>(*fd, /*owns=*/true);
    } else {
      Result<std::unique_ptr<TlsStream>> stream = TlsHandshake(*fd, /*owns=*/true, *tls, host_port.host, deadline);
      if (!stream.ok()) return stream.status();
      c.stream = std::move(*stream);
    }
    return c;
  }

  // One request; a kept-alive connection that turns out closed is replaced once, when the agent cannot have
  // seen the request (no byte of a response came back) and the request is a GET (the commands are sent once).
  Result<HttpResponse> Send(const std::string& method, const std::string& path, const std::string* body) {
    if (!construction_error.ok()) return construction_error;
    const Deadline deadline = std::chrono::steady_clock::now() + timeout;
    HttpRequest request{method, path, address, {{"Authorization", "Bearer " + token}}, body ? *body : "", "application/json"};
    std::optional<PooledConnection> connection = ConnectionPool::Process().Take(pool_key);
    const bool reused = connection.has_value();
    for (int attempt = 0;; ++attempt) {
      if (!connection) {
        Result<PooledConnection> opened = Connect(deadline);
        if (!opened.ok()) return Unreachable(method, path, opened.status());
        connection = std::move(*opened);
      }
      HttpExchangeError progress;
      Result<HttpResponse> reply = HttpExchange(*connection->stream, request, deadline, kReplyLimits, &progress);
      if (reply.ok()) {
        if (reply->keep_alive) ConnectionPool::Process().Give(pool_key, std::move(*connection));
        return reply;
      }
      connection.reset();
      if (reply.status().code() != StatusCode::kUnavailable) {
        return Status(reply.status().code(), "agent at " + address + ": " + method + " " + path + ": " +
                                                 reply.status().message());
      }
      if (attempt > 0 || !reused || progress.response_started || method != "GET") {
        return Unreachable(method, path, reply.status());
      }
    }
  }

  // Refused, reset, timed out, unresolvable: nothing says the agent acted, and retrying is the right move.
  Status Unreachable(const std::string& method, const std::string& path, const Status& why) const {
    return Unavailable("agent at " + address + " is unreachable: " + method + " " + path + ": " + why.message());
  }

  Status Command(const std::string& path, const std::string* body = nullptr) {
    Result<HttpResponse> reply = Send("POST", path, body);
    if (!reply.ok()) return reply.status();
    return StatusFromHttp(reply->status, reply->body, address);
  }

  const std::string address;
  const std::string token;
  const std::chrono::milliseconds timeout;
  HostPort host_port;
  std::shared_ptr<const TlsContext> tls;
  Status construction_error;
  std::string pool_key;  // the agent and the client identity: connections are shared only between equals
};

AgentClient::AgentClient(std::string address, std::string token, std::filesystem::path tls_dir,
                         std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(std::move(address), std::move(token), tls_dir, timeout)) {}

AgentClient::~AgentClient() = default;

Result<AgentStatus> AgentClient::GetStatus() {
  Result<HttpResponse> reply = impl_->Send("GET", "/v1/status", nullptr);
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
