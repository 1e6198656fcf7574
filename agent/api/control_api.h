// The agent's control API: HTTPS with client certificates (https_setup.h) and a bearer token, or plain HTTP
// with the token alone (--insecure), on cpprestsdk, serving a ReplicationControl. The reconciler
// commands agents only through it (docs/agent-api.md):
//
//   GET  /v1/status                 AgentStatus as JSON
//   POST /v1/replication/start      body: ReplicationTarget as JSON
//   POST /v1/replication/stop | /v1/replication/restart | /v1/replication/repair
//   GET  /metrics                   Prometheus text format
//
// Every request needs "Authorization: Bearer TOKEN" (401 otherwise); a command refused in the current state is
// 409 with {"error": "..."}; a malformed body is 400.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "agent/replication_control.h"
#include "common/status.h"
#include "common/tls_context.h"

namespace cdr::agent::api {

struct ControlApiOptions {
  std::string host = "127.0.0.1";  // an address literal
  uint16_t port = 0;               // 0: a free port is picked
  std::string token;               // required, non-empty
  // Set (role kServer): HTTPS only, and the client must present a certificate of its CA naming cdr:operator.
  // Null: plain HTTP.
  std::shared_ptr<const TlsContext> tls;
};

class ControlApi {
 public:
  ControlApi(ControlApiOptions options, ReplicationControl* control);
  ~ControlApi();
  ControlApi(const ControlApi&) = delete;
  ControlApi& operator=(const ControlApi&) = delete;

  Status Start();
  void Stop();
  std::string address() const;  // "127.0.0.1:PORT" once started

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads a token file (trailing whitespace trimmed); kInvalidArgument naming the file when empty.
Result<std::string> ReadTokenFile(const std::string& path);

}  // namespace cdr::agent::api
