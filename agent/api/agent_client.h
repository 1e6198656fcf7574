// The reconciler's side of the control API (control_api.h): a ReplicationControl that sends each call over
// HTTP to one agent. Transport failures are kUnavailable; a 409 is kFailedPrecondition with the agent's message;
// a 401 is kPermissionDenied.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "agent/replication_control.h"

namespace cdr::agent::api {

class AgentClient : public ReplicationControl {
 public:
  // address: "127.0.0.1:PORT"
  AgentClient(std::string address, std::string token,
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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdr::agent::api
