// The reconciler's side of the control API (control_api.h): a ReplicationControl that sends each call over
// HTTPS to one agent, presenting cdr's client certificate and trusting only agents whose certificate the
// same CA signed for the address (plain HTTP when the agent runs with --insecure). Transport failures are kUnavailable; a 409 is kFailedPrecondition with the agent's message;
// a 401 is kPermissionDenied.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "agent/replication_control.h"

namespace cdr::agent::api {

class AgentClient : public ReplicationControl {
 public:
  // address: "127.0.0.1:PORT". tls_dir: cdr's client-cert.pem, client-key.pem and ca-cert.pem
  // (common/tls_context.h); empty: plain HTTP. A tls_dir that does not load fails every call
  // (kFailedPrecondition naming the file).
  AgentClient(std::string address, std::string token, std::filesystem::path tls_dir = {},
              std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  ~AgentClient() override;

  Result<AgentStatus> GetStatus() override;
  Status Start(const ReplicationTarget& target) override;
  Status Stop() override;
  Status Restart() override;
  Status Repair() override;
  Status Fence() override;
  Status Unfence() override;
  Status Verify(const VerifyRequest& request) override;
  Status SetSettings(const SettingsUpdate& update) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdr::agent::api
