#include "reconcile/server_state.h"

#include <array>
#include <utility>

namespace cdr::reconcile {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 35> kStates = {{
    {"agent_installing", "客户端安装中"},
    {"agent_install_failed", "客户端安装失败"},
    {"initialized", "已初始化"},
    {"replication_starting", "启动复制中"},
    {"full_sync", "全量复制中"},
    {"realtime", "实时复制中"},
    {"full_sync_stopping", "全量复制停止中"},
    {"full_sync_stopped", "全量复制停止"},
    {"realtime_stopping", "实时复制停止中"},
    {"realtime_stopped", "实时复制停止"},
    {"replication_error", "复制出错"},
    {"repair_starting", "修复复制启动中"},
    {"repairing", "修复复制中"},
    {"agent_upgrading", "客户端升级中"},
    {"agent_upgrade_failed", "升级失败"},
    {"failing_over", "故障切换中"},
    {"failed_over", "故障切换完成"},
    {"failover_confirmed", "确认故障切换完成"},
    {"reverse_registering", "反向注册中"},
    {"reverse_initialized", "反向已初始化"},
    {"reverse_starting", "反向复制启动中"},
    {"reverse_full_sync", "反向全量复制中"},
    {"reverse_realtime", "反向实时复制中"},
    {"reverse_full_sync_stopping", "反向全量复制停止中"},
    {"reverse_full_sync_stopped", "反向全量复制停止"},
    {"reverse_realtime_stopping", "反向实时复制停止中"},
    {"reverse_realtime_stopped", "反向实时复制停止"},
    {"reverse_replication_error", "反向复制出错"},
    {"reverse_repair_starting", "反向修复复制启动中"},
    {"reverse_repairing", "反向修复复制中"},
    {"failing_back", "故障恢复中"},
    {"failed_back", "故障恢复完成"},
    {"failback_error", "故障恢复出错"},
    {"registering", "注册中"},
    {"deregistering", "注销中"},
}};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

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

bool IsKnownServerState(std::string_view state) {
  for (const auto& [name, original] : kStates) {
    if (name == state) return true;
  }
  return false;
}

bool IsErrorState(std::string_view state) {
  return state == "agent_install_failed" || state == "replication_error" || state == "reverse_replication_error" ||
         state == "failback_error" || state == "agent_upgrade_failed";
}

bool IsIntermediateState(std::string_view state) {
  // "full_sync" and "realtime" are long-lived phases, not steps in flight; the *ing states are steps, and so are
  // failing_over / failing_back, whose names do not end in "ing".
  return EndsWith(state, "ing") || state == "failing_over" || state == "failing_back";
}

bool CanDeregister(std::string_view state) {
  return IsKnownServerState(state) && !IsIntermediateState(state);
}

bool IsInterruptedCdrStep(std::string_view state) {
  return state == "agent_installing" || state == "registering" || state == "deregistering";
}

Health ClassifyHealth(std::string_view state, double rpo_seconds, int rpo_alert_seconds) {
  if (IsErrorState(state)) return Health::kError;
  if (state == "realtime" || state == "reverse_realtime") {
    return rpo_seconds > rpo_alert_seconds ? Health::kRpoHigh : Health::kHealthy;
  }
  return Health::kNotReplicating;
}

Health ClassifyUnobserved(std::string_view stored_state) {
  if (IsErrorState(stored_state)) return Health::kError;
  const Health stored = ClassifyHealth(stored_state, -1, 0);
  return stored == Health::kNotReplicating && !IsReplicatingState(stored_state) ? Health::kNotReplicating
                                                                                : Health::kUnknown;
}

bool IsStoppedState(std::string_view state) { return EndsWith(state, "_stopped"); }

bool IsAgentUpgradeState(std::string_view state) {
  return state == "agent_upgrading" || state == "agent_upgrade_failed";
}

bool IsReplicatingState(std::string_view state) {
  return state == "replication_starting" || state == "full_sync" || state == "realtime" ||
         state == "repair_starting" || state == "repairing" || state == "reverse_starting" ||
         state == "reverse_full_sync" || state == "reverse_realtime" || state == "reverse_repair_starting" ||
         state == "reverse_repairing";
}

std::string_view OriginalStateName(std::string_view state) {
  for (const auto& [name, original] : kStates) {
    if (name == state) return original;
  }
  return "";
}

}  // namespace cdr::reconcile
