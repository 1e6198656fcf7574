#include "reconcile/server_state.h"

#include "common/enum_names.h"

namespace cdr::reconcile {
namespace {

using S = ServerState;

// The properties a state has; the predicates of server_state.h read them.
enum Trait : unsigned {
  kNone = 0,
  kError = 1u << 0,        // IsErrorState
  kInFlight = 1u << 1,     // IsIntermediateState: a step is under way
  kCdrStep = 1u << 2,      // IsInterruptedCdrStep: cdr's own provider call
  kOwned = 1u << 3,        // OwnedByCdr: the agent's report does not replace it
  kStopped = 1u << 4,      // IsStoppedState: stopped by the operator
  kReplicating = 1u << 5,  // IsReplicatingState: the agent is meant to send
  kRealtime = 1u << 6,     // IsRealtimeState: caught up, streaming
  kUpgrade = 1u << 7,      // IsAgentUpgradeState
};

struct StateRow {
  ServerState value;
  const char* name;
  const char* original;
  unsigned traits;
  std::optional<ServerState> forward;  // a reverse_* state: the forward state it stands for
};

constexpr StateRow kStates[] = {
    {S::kAgentInstalling, "agent_installing", "客户端安装中", kInFlight | kCdrStep | kOwned, {}},
    {S::kAgentInstallFailed, "agent_install_failed", "客户端安装失败", kError | kOwned, {}},
    {S::kInitialized, "initialized", "已初始化", kNone, {}},
    {S::kReplicationStarting, "replication_starting", "启动复制中", kInFlight | kReplicating, {}},
    {S::kFullSync, "full_sync", "全量复制中", kReplicating, {}},
    {S::kRealtime, "realtime", "实时复制中", kReplicating | kRealtime, {}},
    {S::kFullSyncStopping, "full_sync_stopping", "全量复制停止中", kInFlight, {}},
    {S::kFullSyncStopped, "full_sync_stopped", "全量复制停止", kStopped, {}},
    {S::kRealtimeStopping, "realtime_stopping", "实时复制停止中", kInFlight, {}},
    {S::kRealtimeStopped, "realtime_stopped", "实时复制停止", kStopped, {}},
    {S::kReplicationError, "replication_error", "复制出错", kError, {}},
    {S::kRepairStarting, "repair_starting", "修复复制启动中", kInFlight | kReplicating, {}},
    {S::kRepairing, "repairing", "修复复制中", kInFlight | kReplicating, {}},
    {S::kAgentUpgrading, "agent_upgrading", "客户端升级中", kInFlight | kOwned | kUpgrade, {}},
    {S::kAgentUpgradeFailed, "agent_upgrade_failed", "升级失败", kError | kOwned | kUpgrade, {}},
    {S::kFailingOver, "failing_over", "故障切换中", kInFlight | kOwned, {}},
    {S::kFailedOver, "failed_over", "故障切换完成", kOwned, {}},
    {S::kFailoverConfirmed, "failover_confirmed", "确认故障切换完成", kOwned, {}},
    {S::kReverseRegistering, "reverse_registering", "反向注册中", kInFlight | kOwned, {}},
    {S::kReverseInitialized, "reverse_initialized", "反向已初始化", kNone, S::kInitialized},
    {S::kReverseStarting, "reverse_starting", "反向复制启动中", kInFlight | kReplicating,
     S::kReplicationStarting},
    {S::kReverseFullSync, "reverse_full_sync", "反向全量复制中", kReplicating, S::kFullSync},
    {S::kReverseRealtime, "reverse_realtime", "反向实时复制中", kReplicating | kRealtime, S::kRealtime},
    {S::kReverseFullSyncStopping, "reverse_full_sync_stopping", "反向全量复制停止中", kInFlight,
     S::kFullSyncStopping},
    {S::kReverseFullSyncStopped, "reverse_full_sync_stopped", "反向全量复制停止", kStopped,
     S::kFullSyncStopped},
    {S::kReverseRealtimeStopping, "reverse_realtime_stopping", "反向实时复制停止中", kInFlight,
     S::kRealtimeStopping},
    {S::kReverseRealtimeStopped, "reverse_realtime_stopped", "反向实时复制停止", kStopped,
     S::kRealtimeStopped},
    {S::kReverseReplicationError, "reverse_replication_error", "反向复制出错", kError, S::kReplicationError},
    {S::kReverseRepairStarting, "reverse_repair_starting", "反向修复复制启动中", kInFlight | kReplicating,
     S::kRepairStarting},
    {S::kReverseRepairing, "reverse_repairing", "反向修复复制中", kInFlight | kReplicating, S::kRepairing},
    {S::kFailingBack, "failing_back", "故障恢复中", kInFlight | kOwned, {}},
    {S::kFailedBack, "failed_back", "故障恢复完成", kOwned, {}},
    {S::kFailbackError, "failback_error", "故障恢复出错", kError | kOwned, {}},
    {S::kRegistering, "registering", "注册中", kInFlight | kCdrStep | kOwned, {}},
    {S::kDeregistering, "deregistering", "注销中", kInFlight | kCdrStep | kOwned, {}},
};

bool Has(ServerState state, Trait trait) {
  const StateRow* row = RowOf(kStates, state);
  return row != nullptr && (row->traits & trait) != 0;
}

// An unknown name has no traits.
bool Has(std::string_view name, Trait trait) {
  const StateRow* row = RowNamed(kStates, name);
  return row != nullptr && (row->traits & trait) != 0;
}

}  // namespace

const char* ServerStateName(ServerState state) { return NameOf(kStates, state); }

std::optional<ServerState> ParseServerState(std::string_view name) { return ParseName(kStates, name); }

bool IsOneOf(std::optional<ServerState> state, std::initializer_list<ServerState> states) {
  for (ServerState s : states) {
    if (state == s) return true;
  }
  return false;
}

std::string_view OriginalStateName(std::string_view state) {
  const StateRow* row = RowNamed(kStates, state);
  return row ? row->original : "";
}

const char* HealthName(Health h) {
  switch (h) {
    case Health::kError: return "error";
    case Health::kHealthy: return "healthy";
    case Health::kNotReplicating: return "not_replicating";
    case Health::kRpoHigh: return "rpo_high";
    case Health::kUnknown: return "unknown";
  }
  return "unknown";
}

bool IsKnownServerState(std::string_view state) { return RowNamed(kStates, state) != nullptr; }

bool IsErrorState(ServerState state) { return Has(state, kError); }
bool IsErrorState(std::string_view state) { return Has(state, kError); }

bool IsIntermediateState(ServerState state) { return Has(state, kInFlight); }
bool IsIntermediateState(std::string_view state) { return Has(state, kInFlight); }

bool CanDeregister(std::string_view state) {
  return IsKnownServerState(state) && !IsIntermediateState(state);
}

bool IsInterruptedCdrStep(ServerState state) { return Has(state, kCdrStep); }
bool IsInterruptedCdrStep(std::string_view state) { return Has(state, kCdrStep); }

bool OwnedByCdr(ServerState state) { return Has(state, kOwned); }
bool OwnedByCdr(std::string_view state) { return Has(state, kOwned); }

bool IsStoppedState(ServerState state) { return Has(state, kStopped); }
bool IsStoppedState(std::string_view state) { return Has(state, kStopped); }

bool IsReplicatingState(ServerState state) { return Has(state, kReplicating); }
bool IsReplicatingState(std::string_view state) { return Has(state, kReplicating); }

bool IsRealtimeState(std::string_view state) { return Has(state, kRealtime); }

bool IsAgentUpgradeState(ServerState state) { return Has(state, kUpgrade); }
bool IsAgentUpgradeState(std::string_view state) { return Has(state, kUpgrade); }

std::optional<ServerState> ForwardOf(ServerState reverse) {
  const StateRow* row = RowOf(kStates, reverse);
  return row ? row->forward : std::nullopt;
}

std::optional<ServerState> ReverseOf(ServerState forward) {
  for (const StateRow& row : kStates) {
    if (row.forward == forward) return row.value;
  }
  return std::nullopt;
}

Health ClassifyHealth(std::string_view state, double rpo_seconds, int rpo_alert_seconds) {
  if (IsErrorState(state)) return Health::kError;
  if (IsRealtimeState(state)) return rpo_seconds > rpo_alert_seconds ? Health::kRpoHigh : Health::kHealthy;
  return Health::kNotReplicating;
}

Health ClassifyUnobserved(std::string_view stored_state) {
  if (IsErrorState(stored_state)) return Health::kError;
  const Health stored = ClassifyHealth(stored_state, -1, 0);
  return stored == Health::kNotReplicating && !IsReplicatingState(stored_state) ? Health::kNotReplicating
                                                                                : Health::kUnknown;
}

}  // namespace cdr::reconcile
