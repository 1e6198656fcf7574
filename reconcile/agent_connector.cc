#include "reconcile/agent_connector.h"

#include "agent/api/agent_client.h"

namespace cdr::reconcile {

AgentConnector HttpAgentConnector(std::chrono::milliseconds timeout) {
  return [timeout](const providers::Agent& a) -> std::unique_ptr<agent::ReplicationControl> {
    return std::make_unique<agent::api::AgentClient>(a.api_address, a.api_token, a.api_tls_dir, timeout);
  };
}

}  // namespace cdr::reconcile
