// The provider protocol's client on the same stack as the agents' control API client: HTTP/1.1
// (common/http_exchange.h) over TCP or TLS with the process's one client context per certificate directory
// (common/tls_context_cache.h), connections kept open between calls in the process's pool
// (common/connection_pool.h). A refresh's hundreds of reads then cost one request each on an open connection,
// not a connection, a task chain and a thread hop of a general client.
#include "providers/http/http_resource_provider.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>

#include "common/connection_pool.h"
#include "common/http_exchange.h"
#include "common/tcp_connect.h"
#include "common/tls_context_cache.h"
#include "common/tls_stream.h"
#include "providers/http/internal/provider_url.h"
#include "providers/http/protocol.h"

namespace cdr::providers::http {
namespace {

using internal::EncodeSegment;

constexpr int kBusyAttempts = 5;
constexpr std::chrono::seconds kLongestBusyWait{5};
constexpr HttpLimits kReplyLimits{.max_header_bytes = 64 << 10, .max_body_bytes = kMaxResponseBodyBytes};

// Whether a request may go out again when a kept-alive connection turns out closed before any byte of the
// answer came back. Every call of the protocol may (reads, lists and validations change nothing, a create
// carries its client token, a second delete is NotFound) except an operation, which is sent once.
enum class Resend { kSafe, kNever };

}  // namespace

struct HttpResourceProvider::Impl {
  HttpProviderOptions options;
  internal::ProviderUrl url;
  std::shared_ptr<const TlsContext> tls;  // https only
  std::string pool_key;                   // the provider and the client identity: shared only between equals
  ProviderSchema schema;

  // The reply's named member; the refusal as a Status naming the provider otherwise. A server at its limit of
  // requests in flight refuses with 503 and Retry-After before it reads the request, so any call is sent
  // again, a bounded number of times.
  Result<Json> Call(const char* method, const std::string& path, const Json* body, const char* member,
                    Resend resend) {
    HttpRequest request{method,
                        url.prefix + path,
                        url.authority,
                        {{"Authorization", "Bearer " + options.token}},
                        body ? body->dump() : "",
                        "application/json"};
    for (int attempt = 1;; ++attempt) {
      Result<HttpResponse> reply = Send(request, resend);
      if (!reply.ok()) return reply.status();
      const std::string retry_after = reply->Header("Retry-After");
      if (reply->status != 503 || retry_after.empty() || attempt == kBusyAttempts)
        return Answer(method, path, *reply, member);
      const std::chrono::seconds wait(std::clamp(std::atoi(retry_after.c_str()), 0, 60));
      std::this_thread::sleep_for(std::min(wait, kLongestBusyWait));
    }
  }

  Result<PooledConnection> Connect(Deadline deadline) const {
    Result<int> fd = ConnectTcp(url.where.host, url.where.port, deadline, {.io_timeout = options.timeout});
    if (!fd.ok()) return fd.status();
    PooledConnection c;
    c.fd = *fd;
    if (!tls) {
      c.stream = std::make_unique<PlainStream>(*fd, /*owns=*/true);
      return c;
    }
    Result<std::unique_ptr<TlsStream>> stream =
        TlsHandshake(*fd, /*owns=*/true, *tls, url.where.host, deadline);
    if (!stream.ok()) return stream.status();
    c.stream = std::move(*stream);
    return c;
  }

  // One exchange on a pooled connection, or a new one; a pooled connection the server closed meanwhile is
  // replaced once when the request may be resent.
  Result<HttpResponse> Send(const HttpRequest& request, Resend resend) {
    const Deadline deadline = std::chrono::steady_clock::now() + options.timeout;
    std::optional<PooledConnection> connection = ConnectionPool::Process().Take(pool_key);
    const bool reused = connection.has_value();
    for (int attempt = 0;; ++attempt) {
      if (!connection) {
        Result<PooledConnection> opened = Connect(deadline);
        if (!opened.ok()) return NoAnswer(request, opened.status());
        connection = std::move(*opened);
      }
      HttpExchangeError progress;
      Result<HttpResponse> reply =
          HttpExchange(*connection->stream, request, deadline, kReplyLimits, &progress);
      if (reply.ok()) {
        if (reply->keep_alive) ConnectionPool::Process().Give(pool_key, std::move(*connection));
        return reply;
      }
      connection.reset();
      if (reply.status().code() != StatusCode::kUnavailable)
        return Status(reply.status().code(),
                      Where(request.method, request.target) + ": " + reply.status().message());
      if (attempt > 0 || !reused || progress.response_started || resend == Resend::kNever)
        return NoAnswer(request, reply.status());
    }
  }

  Status NoAnswer(const HttpRequest& request, const Status& why) const {
    return Unavailable(Where(request.method, request.target) + ": no answer (" + why.message() +
                       "); check that the provider runs and retry");
  }

  Result<Json> Answer(const char* method, const std::string& path, const HttpResponse& reply,
                      const char* member) const {
    if (reply.status < 200 || reply.status >= 300) {
      std::optional<WireError> error = ParseErrorBody(reply.body);
      const ErrorCode code = error ? error->code : ErrorCodeForHttpStatus(reply.status);
      std::string message = error ? error->message : "HTTP " + std::to_string(reply.status);
      if (code == ErrorCode::kNotFound) return Status(StatusCode::kNotFound, message);
      return Status(StatusCodeOf(code),
                    Where(method, path) + ": " + std::string(ErrorCodeName(code)) + ": " + message);
    }
    Json json = Json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object())
      return Internal(Where(method, path) + ": the reply is not a JSON object");
    if (member == nullptr) return json;
    auto found = json.find(member);
    if (found == json.end()) return Internal(Where(method, path) + ": the reply has no \"" + member + "\"");
    return std::move(*found);
  }

  std::string Where(const std::string& method, const std::string& path) const {
    return "provider at " + options.url + ": " + method + " " + path;
  }
};

HttpResourceProvider::HttpResourceProvider(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpResourceProvider::~HttpResourceProvider() = default;

Result<std::unique_ptr<HttpResourceProvider>> HttpResourceProvider::Open(HttpProviderOptions options) {
  auto impl = std::make_unique<Impl>();
  Result<internal::ProviderUrl> url = internal::ParseProviderUrl(options.url);
  if (!url.ok()) return url.status();
  impl->url = std::move(*url);
  impl->pool_key = options.url;
  if (impl->url.https) {
    if (options.tls_dir.empty())
      return InvalidArgument("provider url \"" + options.url +
                             "\" is https: give tls_dir (cdr's client certificate)");
    auto tls = SharedTlsContext(options.tls_dir, TlsRole::kClient);
    if (!tls.ok()) return Status(tls.status().code(), "cdr's client certificate: " + tls.status().message());
    impl->tls = *tls;
    impl->pool_key += "\n" + options.tls_dir.string();
  }
  impl->options = std::move(options);
  Result<Json> schema = impl->Call("GET", "/v1/schema", nullptr, nullptr, Resend::kSafe);
  if (!schema.ok()) return schema.status();
  Result<ProviderSchema> parsed = ProviderSchemaFromJson(*schema);
  if (!parsed.ok()) return Internal("provider at " + impl->options.url + ": " + parsed.status().message());
  if (parsed->protocol_version != kProtocolVersion) {
    return FailedPrecondition("provider at " + impl->options.url + " speaks protocol version " +
                              std::to_string(parsed->protocol_version) + "; this cdr speaks " +
                              std::to_string(kProtocolVersion) + ": upgrade the one that is older");
  }
  impl->schema = std::move(*parsed);
  return std::unique_ptr<HttpResourceProvider>(new HttpResourceProvider(std::move(impl)));
}

std::string HttpResourceProvider::Name() const {
  return impl_->schema.provider + " at " + impl_->options.url;
}

Result<ProviderSchema> HttpResourceProvider::Schema() { return impl_->schema; }

Status HttpResourceProvider::Validate(const std::string& type, const Json& config) {
  const Json body = {{"config", config}};
  return impl_->Call("POST", "/v1/validate/" + EncodeSegment(type), &body, nullptr, Resend::kSafe).status();
}

Result<Json> HttpResourceProvider::Create(const std::string& type, const std::string& client_token,
                                          const Json& config) {
  const Json body = {{"client_token", client_token}, {"config", config}};
  return impl_->Call("POST", "/v1/resources/" + EncodeSegment(type), &body, "resource", Resend::kSafe);
}

Result<Json> HttpResourceProvider::Read(const std::string& type, const std::string& id) {
  return impl_->Call("GET", "/v1/resources/" + EncodeSegment(type) + "/" + EncodeSegment(id), nullptr,
                     "resource", Resend::kSafe);
}

Result<Json> HttpResourceProvider::List(const std::string& type, const Json& filter) {
  const Json body = {{"filter", filter}};
  return impl_->Call("POST", "/v1/list/" + EncodeSegment(type), &body, "resources", Resend::kSafe);
}

Status HttpResourceProvider::Delete(const std::string& type, const std::string& id) {
  return impl_
      ->Call("DELETE", "/v1/resources/" + EncodeSegment(type) + "/" + EncodeSegment(id), nullptr, nullptr,
             Resend::kSafe)
      .status();
}

Result<Json> HttpResourceProvider::Invoke(const std::string& type, const std::string& id,
                                          const std::string& operation, const Json& args) {
  const Json body = {{"args", args}};
  return impl_->Call(
      "POST",
      "/v1/resources/" + EncodeSegment(type) + "/" + EncodeSegment(id) + "/" + EncodeSegment(operation),
      &body, "result", Resend::kNever);
}

}  // namespace cdr::providers::http
