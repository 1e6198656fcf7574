#include "reconcile/plan_headline.h"

#include <optional>

#include "reconcile/address.h"
#include "reconcile/operation.h"
#include "reconcile/resource_kind.h"

namespace cdr::reconcile {
namespace {

using Op = Operation;
using Kind = ResourceKind;

struct HeadlineRow {
  std::optional<Kind> kind;  // nullopt: any kind
  std::optional<Op> op;      // nullopt: any operation
  std::optional<Action> action;
  bool (*when)(const ResourceChange&, const Plan&);  // nullptr: always
  const char* text;
};

bool ReceiverOfReverseReplication(const ResourceChange& c, const Plan&) {
  return c.after.is_object() && !c.after.value("replicas_are_disks_of", "").empty();
}
bool FailoverHost(const ResourceChange& c, const Plan&) { return c.address.ends_with(".failover"); }

// The receiver a server's start_replication streams to: the shadow host this plan creates, else the one in the
// state. Null when neither has one.
const nlohmann::json* ShadowOf(const Plan& plan, const std::string& server_address) {
  const std::string address = ShadowHostAddress(server_address);
  for (const auto& c : plan.changes) {
    if (c.address == address && c.action == Action::kCreate && c.after.is_object()) return &c.after;
  }
  for (const auto& p : plan.prior) {
    if (p.address == address && p.values.is_object()) return &p.values;
  }
  return nullptr;
}

// Its replicas hold the data already (a failback's): the start compares by block hashes instead of copying.
bool SeededReceiver(const ResourceChange& c, const Plan& plan) {
  const nlohmann::json* shadow = ShadowOf(plan, c.address);
  if (!shadow) return false;
  return shadow->value("compare_first", true) && (!shadow->value("replicas_are_disks_of", "").empty() ||
                                                  !shadow->value("seed_from_dr_host", "").empty());
}
bool NewProductionReceiver(const ResourceChange& c, const Plan& plan) { return !SeededReceiver(c, plan); }

// Specific rows before general ones: the first match wins.
constexpr HeadlineRow kHeadlines[] = {
    {{}, Op::kRegister, Action::kCreate, nullptr, "will be registered (agent install, then initialized)"},
    {{}, Op::kRegister, {}, nullptr, "will be registered again"},
    {{}, Op::kDeregister, {}, nullptr, "will be deregistered (the host stays)"},
    {{}, Op::kReregister, {}, nullptr, "must be re-registered on another host"},
    {{},
     Op::kStartReplication,
     {},
     SeededReceiver,
     "will start replicating (seeded replicas: compare, send only the blocks that differ, then realtime)"},
    {{}, Op::kStartReplication, {}, nullptr, "will start replicating (scan, full sync, then realtime)"},
    {{}, Op::kStopReplication, {}, nullptr, "will stop replicating (the agent keeps journaling)"},
    {{}, Op::kRepair, {}, nullptr, "will be repaired (only differing blocks are sent)"},
    {{}, Op::kRestartAgent, {}, nullptr, "will have its agent process restarted"},
    {{}, Op::kUpgradeAgent, {}, nullptr, "will have its agent upgraded (agent_upgrading, then back)"},
    {{}, Op::kRetargetReplication, {}, nullptr, "will be pointed at its shadow host's new address"},
    {Kind::kServer, Op::kFence, {}, nullptr, "will be fenced (its disks refuse writes)"},
    {Kind::kServer, Op::kRollback, {}, nullptr, "will be rolled back (unfenced, takes writes again)"},
    {Kind::kServer,
     Op::kLaunchHost,
     {},
     nullptr,
     "will launch a new production host (restore_to_original = false)"},
    {Kind::kServer,
     Op::kReverseRegister,
     {},
     nullptr,
     "will be reverse registered (an agent fronts the DR host's disks)"},
    {{},
     Op::kStartReverseReplication,
     {},
     NewProductionReceiver,
     "will start reverse replication (DR host → the new production host: full sync, then realtime)"},
    {{},
     Op::kStartReverseReplication,
     {},
     nullptr,
     "will start reverse replication (DR host → production: send the blocks changed since the failover, or "
     "compare the whole disk without a change map matching production and send what differs; then realtime)"},
    {{},
     Op::kStopReverseReplication,
     {},
     nullptr,
     "will stop reverse replication (the reverse agent keeps journaling)"},
    {{},
     Op::kReverseRepair,
     {},
     nullptr,
     "will have its reverse replication repaired (only differing blocks)"},
    {{},
     Op::kRetargetReverseReplication,
     {},
     nullptr,
     "will point reverse replication at the receiver's new address"},
    {Kind::kServer,
     Op::kFailback,
     {},
     nullptr,
     "will fail back (failing_back → failed_back: production takes over with the DR host's data)"},
    {Kind::kShadowHost, Op::kRestart, {}, nullptr, "will be restarted (its replicas are kept)"},
    {Kind::kShadowHost,
     {},
     Action::kCreate,
     ReceiverOfReverseReplication,
     "will be created (the receiver of reverse replication, in the production zone)"},
    {Kind::kShadowHost, {}, Action::kCreate, nullptr, "will be created (the DR side of the server)"},
    {Kind::kShadowHost,
     {},
     Action::kDelete,
     nullptr,
     "will be destroyed with its replicas and ALL recovery points"},
    {Kind::kShadowHost, Op::kSetRecoveryPolicy, {}, nullptr, "will take recovery points by a new policy"},
    {Kind::kDrHost, Op::kFailover, {}, nullptr, "will be failed over to (failing_over → failed_over)"},
    {Kind::kDrHost,
     Op::kChangeRecoveryPoint,
     {},
     nullptr,
     "will be brought up again at another recovery point"},
    {Kind::kDrHost,
     Op::kConfirm,
     {},
     nullptr,
     "will be confirmed (failover_confirmed; its disks become standalone)"},
    {Kind::kDrHost, Op::kRestart, {}, nullptr, "will be started again (same point, its writes kept)"},
    {Kind::kDrHost, Op::kVerify, {}, nullptr, "will be verified again"},
    {Kind::kDrHost, Op::kRollback, {}, nullptr, "will be destroyed with everything written to it (rollback)"},
    {Kind::kDrHost,
     Op::kRelease,
     {},
     nullptr,
     "will be released (keeps running as a standalone host, outside cdr)"},
    {Kind::kDrHost, {}, Action::kCreate, nullptr, "will be brought up from a recovery point"},
    {Kind::kDrHost,
     {},
     Action::kDelete,
     FailoverHost,
     "will be destroyed (failed back: production carries the service)"},
    {Kind::kDrHost, {}, Action::kDelete, nullptr, "will be destroyed (drill cleared)"},
    {Kind::kDrHost, {}, Action::kReplace, nullptr, "must be brought up again"},
    {{}, {}, Action::kCreate, nullptr, "will be created"},
    {{}, {}, Action::kUpdate, nullptr, "will be updated in-place"},
    {{}, {}, Action::kDelete, nullptr, "will be destroyed"},
    {{}, {}, Action::kReplace, nullptr, "must be replaced"},
};

bool Matches(const HeadlineRow& row, const ResourceChange& c, const Plan& plan) {
  return (!row.kind || row.kind == c.kind) && (!row.op || row.op == c.operation) &&
         (!row.action || *row.action == c.action) && (!row.when || row.when(c, plan));
}

}  // namespace

std::string PlanHeadline(const ResourceChange& c, const Plan& plan) {
  if (c.operation == Op::kRename) return "will be renamed from " + c.previous_address;
  for (const auto& row : kHeadlines) {
    if (Matches(row, c, plan)) return row.text;
  }
  return "will change";
}

}  // namespace cdr::reconcile
