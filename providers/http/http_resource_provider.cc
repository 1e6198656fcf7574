// The only client-side file of the provider protocol that includes cpprest.
#include "providers/http/http_resource_provider.h"

#include <cpprest/http_client.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>

#include "agent/api/byte_body.h"
#include "agent/api/https_setup.h"
#include "common/tls_context.h"
#include "providers/http/protocol.h"

namespace cdr::providers::http {
namespace {

using web::http::method;
using web::http::methods;

std::string Segment(const std::string& s) { return web::uri::encode_data_string(s); }

constexpr int kBusyAttempts = 5;
constexpr std::chrono::seconds kLongestBusyWait{5};

}  // namespace

struct HttpResourceProvider::Impl {
  HttpProviderOptions options;
  std::unique_ptr<web::http::client::http_client> client;
  ProviderSchema schema;

  // The reply's named member; the refusal as a Status naming the provider otherwise. A server at its limit of
  // requests in flight refuses with 503 and Retry-After before it reads the request, so any call is sent
  // again, a bounded number of times.
  Result<Json> Call(const method& m, const std::string& path, const Json* body, const char* member) {
    for (int attempt = 1;; ++attempt) {
      std::optional<std::chrono::seconds> retry_after;
      Result<Json> reply = CallOnce(m, path, body, member, &retry_after);
      if (!retry_after || attempt == kBusyAttempts) return reply;
      std::this_thread::sleep_for(std::min(*retry_after, kLongestBusyWait));
    }
  }

  Result<Json> CallOnce(const method& m, const std::string& path, const Json* body, const char* member,
                        std::optional<std::chrono::seconds>* retry_after) {
    web::http::http_request request(m);
    request.set_request_uri(path);
    request.headers().add("Authorization", "Bearer " + options.token);
    if (body) agent::api::SetByteBody(request, body->dump(), "application/json");
    int status = 0;
    std::string text;
    try {
      web::http::http_response response = client->request(request).get();
      status = response.status_code();
      if (status == web::http::status_codes::ServiceUnavailable && response.headers().has("Retry-After")) {
        *retry_after =
            std::chrono::seconds(std::clamp(std::atoi(response.headers()["Retry-After"].c_str()), 0, 60));
      }
      if (response.headers().content_length() > kMaxResponseBodyBytes)
        return Internal(Where(m, path) + ": the reply is over " + std::to_string(kMaxResponseBodyBytes) +
                        " bytes");
      const std::vector<unsigned char> bytes = response.extract_vector().get();
      text.assign(bytes.begin(), bytes.end());
    } catch (const std::exception& e) {
      return Unavailable(Where(m, path) + ": no answer (" + e.what() +
                         "); check that the provider runs and retry");
    }
    if (status < 200 || status >= 300) {
      std::optional<WireError> error = ParseErrorBody(text);
      const ErrorCode code = error ? error->code : ErrorCodeForHttpStatus(status);
      std::string message = error ? error->message : "HTTP " + std::to_string(status);
      if (code == ErrorCode::kNotFound) return Status(StatusCode::kNotFound, message);
      return Status(StatusCodeOf(code),
                    Where(m, path) + ": " + std::string(ErrorCodeName(code)) + ": " + message);
    }
    Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object())
      return Internal(Where(m, path) + ": the reply is not a JSON object");
    if (member == nullptr) return json;
    if (!json.contains(member)) return Internal(Where(m, path) + ": the reply has no \"" + member + "\"");
    return json[member];
  }

  std::string Where(const method& m, const std::string& path) const {
    return "provider at " + options.url + ": " + m + " " + path;
  }
};

HttpResourceProvider::HttpResourceProvider(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpResourceProvider::~HttpResourceProvider() = default;

Result<std::unique_ptr<HttpResourceProvider>> HttpResourceProvider::Open(HttpProviderOptions options) {
  auto impl = std::make_unique<Impl>();
  web::http::client::http_client_config config;
  config.set_timeout(options.timeout);
  const bool https = options.url.rfind("https://", 0) == 0;
  if (!https && options.url.rfind("http://", 0) != 0)
    return InvalidArgument("provider url \"" + options.url + "\": must start with http:// or https://");
  if (https) {
    if (options.tls_dir.empty())
      return InvalidArgument("provider url \"" + options.url +
                             "\" is https: give tls_dir (cdr's client certificate)");
    auto tls = TlsContext::Load(TlsFilesIn(options.tls_dir, TlsRole::kClient), TlsRole::kClient);
    if (!tls.ok()) return Status(tls.status().code(), "cdr's client certificate: " + tls.status().message());
    config.set_ssl_context_callback(agent::api::ClientSslSetup(*tls));
  }
  try {
    impl->client = std::make_unique<web::http::client::http_client>(options.url, config);
  } catch (const std::exception& e) {
    return InvalidArgument("provider url \"" + options.url + "\": " + e.what());
  }
  impl->options = std::move(options);
  Result<Json> schema = impl->Call(methods::GET, "/v1/schema", nullptr, nullptr);
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
  return impl_->Call(methods::POST, "/v1/validate/" + Segment(type), &body, nullptr).status();
}

Result<Json> HttpResourceProvider::Create(const std::string& type, const std::string& client_token,
                                          const Json& config) {
  const Json body = {{"client_token", client_token}, {"config", config}};
  return impl_->Call(methods::POST, "/v1/resources/" + Segment(type), &body, "resource");
}

Result<Json> HttpResourceProvider::Read(const std::string& type, const std::string& id) {
  return impl_->Call(methods::GET, "/v1/resources/" + Segment(type) + "/" + Segment(id), nullptr, "resource");
}

Result<Json> HttpResourceProvider::List(const std::string& type, const Json& filter) {
  const Json body = {{"filter", filter}};
  return impl_->Call(methods::POST, "/v1/list/" + Segment(type), &body, "resources");
}

Status HttpResourceProvider::Delete(const std::string& type, const std::string& id) {
  return impl_->Call(methods::DEL, "/v1/resources/" + Segment(type) + "/" + Segment(id), nullptr, nullptr)
      .status();
}

Result<Json> HttpResourceProvider::Invoke(const std::string& type, const std::string& id,
                                          const std::string& operation, const Json& args) {
  const Json body = {{"args", args}};
  return impl_->Call(methods::POST,
                     "/v1/resources/" + Segment(type) + "/" + Segment(id) + "/" + Segment(operation), &body,
                     "result");
}

}  // namespace cdr::providers::http
