// How the reconciler reaches a protected server's agent. Refresh, apply and status take a connector instead of
// building HTTP clients themselves, so unit tests plug in a test double and the real binary the HTTP client.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "agent/replication_control.h"
#include "providers/types/agent.h"

namespace cdr::reconcile {

// Never returns null; a connector that cannot reach the agent returns a control whose calls fail (kUnavailable).
using AgentConnector = std::function<std::unique_ptr<agent::ReplicationControl>(const providers::Agent&)>;

// The agents' control API (agent/api/agent_client.h), at the address, token and client certificate the provider
// reports (HTTPS unless the provider says the agent is insecure).
AgentConnector HttpAgentConnector(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

}  // namespace cdr::reconcile
