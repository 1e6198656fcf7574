// The protected server's state machine (DESIGN §2): names, which states are stable, and what they mean for
// the group overview. Transitions themselves are carried out by apply steps.
#pragma once

#include <string>
#include <string_view>

namespace cdr::reconcile {

// kUnknown: nobody could observe the server just now (agent not answering, no provider to ask); status never
// turns that into a reassuring value.
enum class Health { kError, kHealthy, kNotReplicating, kRpoHigh, kUnknown };
const char* HealthName(Health h);

// True for known state names (agent_installing … failover_confirmed …).
bool IsKnownServerState(std::string_view state);
// Error states: agent_install_failed, replication_error, reverse_replication_error, failback_error,
// agent_upgrade_failed.
bool IsErrorState(std::string_view state);
// Intermediate states: the ones ending in "ing" (agent_installing, full_sync_stopping, failing_over, …) —
// a step is in flight and nothing else may start.
bool IsIntermediateState(std::string_view state);
// Deregister is allowed only from stable or error states (never while a step is in flight).
bool CanDeregister(std::string_view state);
// States cdr itself enters around a provider call (agent_installing, registering, deregistering). Whoever holds
// the state lock knows no other apply is in that call: the step was interrupted and may be resumed or undone,
// the provider calls being idempotent.
bool IsInterruptedCdrStep(std::string_view state);

// From a live observation of the agent; rpo_seconds < 0 means unknown.
Health ClassifyHealth(std::string_view state, double rpo_seconds, int rpo_alert_seconds);
// When the agent could not be observed now: only what the stored state says for certain survives (an error
// stays an error, a server cdr never started stays not_replicating); everything else is unknown.
Health ClassifyUnobserved(std::string_view stored_state);
// Replication stopped by an operator's `replication = "stopped"` (full_sync_stopped, realtime_stopped, the
// reverse ones): the agent journals and sends nothing.
bool IsStoppedState(std::string_view state);
// States in which the agent is meant to be sending to the shadow host (forward or reverse).
bool IsReplicatingState(std::string_view state);
// An agent upgrade under way or failed (agent_upgrading, agent_upgrade_failed): the agent may be down on purpose.
bool IsAgentUpgradeState(std::string_view state);

// The original (Chinese) name of a state, for operators used to the CT-CDR console.
std::string_view OriginalStateName(std::string_view state);

}  // namespace cdr::reconcile
