// What apply does for one change (ResourceChange::operation): every operation cdr plans, with its name in plans
// and the progressive form apply reports ("Registering..."). docs/plan-format.md#operations lists what each does.
#pragma once

#include <optional>
#include <string>

namespace cdr::reconcile {

enum class Operation {
  kCreate,
  kUpdate,
  kDelete,
  kReplace,
  kRename,
  kRegister,
  kDeregister,
  kReregister,
  kStartReplication,
  kStopReplication,
  kRepair,
  kRestartAgent,
  kRetargetReplication,
  kRestart,
  kSetRecoveryPolicy,
  kFailover,
  kChangeRecoveryPoint,
  kConfirm,
  kVerify,
  kFence,
  kRollback,
  kRelease,
  kReverseRegister,
  kLaunchHost,
  kStartReverseReplication,
  kStopReverseReplication,
  kReverseRepair,
  kRetargetReverseReplication,
  kFailback,
  kUpgradeAgent,
};

const char* OperationName(Operation op);  // "create", "start_replication", …
std::optional<Operation> ParseOperation(const std::string& name);
// "Registering", "Starting replication", …; empty for the plain create/update/delete/replace, which apply names
// by their action.
const char* OperationProgressive(Operation op);

}  // namespace cdr::reconcile
