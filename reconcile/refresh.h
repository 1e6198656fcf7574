// Refresh: ask the provider what really exists for every resource in the state, ask each registered server's
// agent how its replication is doing, and gather the facts of every host the spec or the state names.
// Differences become DriftedResources in the plan; the agents' answers become ServerObservations.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/replication_control.h"
#include "common/status.h"
#include "providers/process_status.h"
#include "providers/types/agent.h"
#include "providers/types/agent_version.h"
#include "providers/types/dr_host.h"
#include "providers/types/host.h"
#include "providers/types/recovery_points.h"
#include "providers/types/shadow_host.h"
#include "reconcile/agent_connector.h"
#include "reconcile/plan.h"
#include "reconcile/server_state.h"
#include "state/state_store.h"

namespace cdr::reconcile {

// What one registered server looks like right now.
struct ServerObservation {
  std::optional<providers::Agent> agent;         // nullopt: not installed (or not asked)
  std::optional<agent::AgentStatus> status;      // nullopt: the agent did not answer, or was not asked
  std::string status_error;                      // why `status` is missing when the agent should have answered
  std::optional<providers::ShadowHost> shadow;   // nullopt: none in the state, or gone
  bool AgentRunning() const {
    return agent && providers::ProcessStatusOf(*agent) == providers::ProcessStatus::kRunning;
  }
};

struct Observed {
  std::map<std::string, DriftedResource> drift;          // by address; only resources that differ
  std::map<std::string, providers::HostFacts> hosts;     // by host id; hosts that exist
  std::map<std::string, ServerObservation> servers;      // by server address; registered servers
  std::map<std::string, providers::DrHost> dr_hosts;     // by address; DR hosts the provider described now
  // The agent releases the cloud offers; asked only when the spec names one (agent_version).
  std::optional<providers::AgentVersions> agent_versions;
  // By server address: the recovery points of the servers of a group that declares [group.failover], from which
  // the plan chooses the group's one point (group_point.h).
  std::map<std::string, providers::RecoveryPoints> recovery_points;
};

// Fails (kUnavailable, …) only when the provider cannot answer; a resource that is gone is drift, not failure,
// and an agent that does not answer is noted in its ServerObservation. Without a connector agents are not asked.
Result<Observed> Refresh(providers::ResourceProvider& provider,
                         const std::vector<state::ResourceRecord>& records,
                         const std::vector<std::string>& spec_hosts, const AgentConnector& connect = {});

// The state a server is in: the agent's word when it answered, the state's otherwise. States cdr drives
// itself (OwnedByCdr: agent_installing, deregistering, failing_over, …) are the state's.
std::string EffectiveServerState(const state::ResourceRecord& record, const ServerObservation* observation);

}  // namespace cdr::reconcile
