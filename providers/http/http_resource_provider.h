// A ResourceProvider that is a program of its own, reached over the provider protocol (protocol.h): the
// spec's [provider] type = "http" with `url` and `token_file`. Open() reads the schema once, so a provider
// that speaks another protocol version, or none, is refused before any plan is made. Every call has a
// deadline; a provider that does not answer in time, refuses the connection or resets it is kUnavailable
// (retry), and its refusals come back as the Status its error code names (NotFound stays NotFound).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "providers/resource_provider.h"

namespace cdr::providers::http {

struct HttpProviderOptions {
  std::string url;                // "http://127.0.0.1:7070" or "https://…"
  std::string token;              // the bearer token
  std::filesystem::path tls_dir;  // https: cdr's client-cert.pem, client-key.pem and the estate's ca-cert.pem
  std::chrono::milliseconds timeout{60000};  // per call: a create may start a process on the cloud's side
};

class HttpResourceProvider : public ResourceProvider {
 public:
  static Result<std::unique_ptr<HttpResourceProvider>> Open(HttpProviderOptions options);
  ~HttpResourceProvider() override;

  std::string Name() const override;
  Result<ProviderSchema> Schema() override;
  Status Validate(const std::string& type, const Json& config) override;
  Result<Json> Create(const std::string& type, const std::string& client_token, const Json& config) override;
  Result<Json> Read(const std::string& type, const std::string& id) override;
  Result<Json> List(const std::string& type, const Json& filter) override;
  Status Delete(const std::string& type, const std::string& id) override;
  Result<Json> Invoke(const std::string& type, const std::string& id, const std::string& operation,
                      const Json& args) override;

 private:
  struct Impl;
  explicit HttpResourceProvider(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdr::providers::http
