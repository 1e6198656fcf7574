#include "reconcile/operation.h"

#include "common/enum_names.h"

namespace cdr::reconcile {
namespace {

struct OperationRow {
  Operation value;
  const char* name;
  const char* progressive;
};

constexpr OperationRow kOperations[] = {
    {Operation::kCreate, "create", ""},
    {Operation::kUpdate, "update", ""},
    {Operation::kDelete, "delete", ""},
    {Operation::kReplace, "replace", ""},
    {Operation::kRename, "rename", "Renaming"},
    {Operation::kRegister, "register", "Registering"},
    {Operation::kDeregister, "deregister", "Deregistering"},
    {Operation::kReregister, "reregister", "Re-registering"},
    {Operation::kStartReplication, "start_replication", "Starting replication"},
    {Operation::kStopReplication, "stop_replication", "Stopping replication"},
    {Operation::kRepair, "repair", "Repairing"},
    {Operation::kRestartAgent, "restart_agent", "Restarting the agent"},
    {Operation::kRetargetReplication, "retarget_replication", "Pointing replication at the new address"},
    {Operation::kRestart, "restart", "Restarting"},
    {Operation::kSetRecoveryPolicy, "set_recovery_policy", ""},
    {Operation::kFailover, "failover", "Failing over"},
    {Operation::kChangeRecoveryPoint, "change_recovery_point", "Changing the recovery point"},
    {Operation::kConfirm, "confirm", "Confirming the failover"},
    {Operation::kVerify, "verify", "Verifying"},
    {Operation::kFence, "fence", "Fencing production"},
    {Operation::kRollback, "rollback", "Rolling back the failover"},
    {Operation::kRelease, "release", "Releasing"},
    {Operation::kReverseRegister, "reverse_register", "Reverse registering"},
    {Operation::kLaunchHost, "launch_host", "Launching the new production host"},
    {Operation::kStartReverseReplication, "start_reverse_replication", "Starting reverse replication"},
    {Operation::kStopReverseReplication, "stop_reverse_replication", "Stopping reverse replication"},
    {Operation::kReverseRepair, "reverse_repair", "Repairing reverse replication"},
    {Operation::kRetargetReverseReplication, "retarget_reverse_replication",
     "Pointing reverse replication at the new address"},
    {Operation::kFailback, "failback", "Failing back"},
    {Operation::kUpgradeAgent, "upgrade_agent", "Upgrading the agent"},
};

}  // namespace

const char* OperationName(Operation op) { return NameOf(kOperations, op); }

const char* OperationProgressive(Operation op) {
  const OperationRow* row = RowOf(kOperations, op);
  return row ? row->progressive : "";
}

std::optional<Operation> ParseOperation(const std::string& name) { return ParseName(kOperations, name); }

}  // namespace cdr::reconcile
