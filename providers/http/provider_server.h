// `cdr provider serve`: a ResourceProvider served over the provider protocol (protocol.h,
// docs/provider-protocol.md) on cpprestsdk, HTTPS when given the estate's TLS files. Every request is checked
// from its head before its body is read (agent/api/request_head.h): the bearer token (401), a body over
// kMaxRequestBodyBytes (413), chunked or without a length (400), huge headers (431); only then is the body
// read and routed (provider_router.h). At most max_in_flight requests are served at once; one more is refused
// with 503 Unavailable and Retry-After (its body never read), so a crowd of clients queues outside, not in
// memory.
//
//   head ──token? ──length ≤ 1 MiB? ──< max_in_flight? ──► read body ──► ProviderRouter ──► ResourceProvider
//          │ 401     │ 413 (body never read) │ 503 + Retry-After (body never read)
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "common/tls_context.h"
#include "providers/resource_provider.h"

namespace cdr::providers::http {

struct ProviderServerOptions {
  std::string host = "127.0.0.1";  // an IPv4 address literal
  uint16_t port = 0;               // 0: a free port is picked
  std::string token;               // required, non-empty
  // Set (role kServer): HTTPS only, and the client must present a certificate of the same CA naming cdr.
  std::shared_ptr<const TlsContext> tls;
  int max_in_flight = kDefaultMaxInFlight;  // requests served at once, ≥ 1
  static constexpr int kDefaultMaxInFlight = 64;
  static constexpr int kRetryAfterSeconds = 1;  // what a refused client is told to wait
};

class ProviderServer {
 public:
  // `provider` must outlive the server.
  ProviderServer(ProviderServerOptions options, ResourceProvider* provider);
  ~ProviderServer();
  ProviderServer(const ProviderServer&) = delete;
  ProviderServer& operator=(const ProviderServer&) = delete;

  Status Start();
  // Closes the listener and waits for the requests still being served.
  void Stop();
  std::string address() const;  // "127.0.0.1:PORT" once started

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdr::providers::http
