// The protected server's state machine (docs/state-machine.md): its states as an enum with one table
// (server_state.cc) of their names, original names and properties, which every predicate here reads.
// Transitions themselves are carried out by apply steps.
//
// A state's name is what the state store, plan and status JSON and the agent's API carry; it is parsed where
// it comes in. A name this cdr does not know (a newer release's, a hand edit) parses to nullopt and belongs
// to no category: it is never in flight, stopped, replicating or healthy, and deregistration refuses it.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace cdr::reconcile {

enum class ServerState {
  kAgentInstalling,
  kAgentInstallFailed,
  kInitialized,
  kReplicationStarting,
  kFullSync,
  kRealtime,
  kFullSyncStopping,
  kFullSyncStopped,
  kRealtimeStopping,
  kRealtimeStopped,
  kReplicationError,
  kRepairStarting,
  kRepairing,
  kAgentUpgrading,
  kAgentUpgradeFailed,
  kFailingOver,
  kFailedOver,
  kFailoverConfirmed,
  kReverseRegistering,
  kReverseInitialized,
  kReverseStarting,
  kReverseFullSync,
  kReverseRealtime,
  kReverseFullSyncStopping,
  kReverseFullSyncStopped,
  kReverseRealtimeStopping,
  kReverseRealtimeStopped,
  kReverseReplicationError,
  kReverseRepairStarting,
  kReverseRepairing,
  kFailingBack,
  kFailedBack,
  kFailbackError,
  kRegistering,
  kDeregistering,
};

const char* ServerStateName(ServerState state);  // "agent_installing", …
// nullopt: not a state of the machine ("running", "", a newer release's state).
std::optional<ServerState> ParseServerState(std::string_view name);
// True when `state` is known and one of `states`.
bool IsOneOf(std::optional<ServerState> state, std::initializer_list<ServerState> states);
// The original (Chinese) name of a state, for operators used to the CT-CDR console; "" for an unknown name.
std::string_view OriginalStateName(std::string_view state);

// kUnknown: nobody could observe the server just now (agent not answering, no provider to ask); status never
// turns that into a reassuring value.
enum class Health { kError, kHealthy, kNotReplicating, kRpoHigh, kUnknown };
const char* HealthName(Health h);

// Each predicate comes for a state and for a name; an unknown name is in none of them.
bool IsKnownServerState(std::string_view state);
// Error states: agent_install_failed, replication_error, reverse_replication_error, failback_error,
// agent_upgrade_failed.
bool IsErrorState(ServerState state);
bool IsErrorState(std::string_view state);
// A step is in flight and nothing else may start: the *ing states (agent_installing, full_sync_stopping, …)
// and failing_over / failing_back. full_sync and realtime are long-lived phases, not steps.
bool IsIntermediateState(ServerState state);
bool IsIntermediateState(std::string_view state);
// Deregister is allowed only from stable or error states (never while a step is in flight).
bool CanDeregister(std::string_view state);
// States cdr itself enters around a provider call (agent_installing, registering, deregistering). Whoever holds
// the state lock knows no other apply is in that call: the step was interrupted and may be resumed or undone,
// the provider calls being idempotent.
bool IsInterruptedCdrStep(ServerState state);
bool IsInterruptedCdrStep(std::string_view state);
// States cdr drives itself, around provider calls (install, register, upgrade) or DR-side steps (failover,
// failback): the agent knows nothing of them, so its report does not replace them.
bool OwnedByCdr(ServerState state);
bool OwnedByCdr(std::string_view state);
// Replication stopped by an operator's `replication = "stopped"` (full_sync_stopped, realtime_stopped, the
// reverse ones): the agent journals and sends nothing.
bool IsStoppedState(ServerState state);
bool IsStoppedState(std::string_view state);
// States in which the agent is meant to be sending to the shadow host (forward or reverse).
bool IsReplicatingState(ServerState state);
bool IsReplicatingState(std::string_view state);
// Caught up and streaming: realtime or reverse_realtime.
bool IsRealtimeState(std::string_view state);
// An agent upgrade under way or failed (agent_upgrading, agent_upgrade_failed): the agent may be down on purpose.
bool IsAgentUpgradeState(ServerState state);
bool IsAgentUpgradeState(std::string_view state);

// The reverse counterpart (reconcile/reverse_states.h): the forward state a reverse_* state stands for, and
// the reverse_* state of a forward one; nullopt when it has none.
std::optional<ServerState> ForwardOf(ServerState reverse);
std::optional<ServerState> ReverseOf(ServerState forward);

// From a live observation of the agent; rpo_seconds < 0 means unknown.
Health ClassifyHealth(std::string_view state, double rpo_seconds, int rpo_alert_seconds);
// When the agent could not be observed now: only what the stored state says for certain survives (an error
// stays an error, a server cdr never started stays not_replicating); everything else is unknown.
Health ClassifyUnobserved(std::string_view stored_state);

}  // namespace cdr::reconcile
