#include "reconcile/internal/dr_host_transitions.h"

#include "reconcile/address.h"
#include "reconcile/verification_result.h"
#include "state/record_status.h"

namespace cdr::reconcile::internal {
namespace {

using nlohmann::json;
using state::RecordStatus;

const char* const kHostKeys[] = {"name", "server_id", "flavor", "ip", "disk_type", "eip", "recovery_point"};

std::vector<std::string> ChangedHostKeys(const json& before, const json& after) {
  std::vector<std::string> keys;
  for (const char* k : kHostKeys) {
    if (before.value(k, json()) != after.value(k, json())) keys.push_back(k);
  }
  return keys;
}

std::string Join(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

// A group failover's point says so, and what the group wrote when that was not the point itself ("latest").
std::string PointText(const json& a) {
  const std::string point = a.value("recovery_point", std::string("latest"));
  const std::string group = a.value("group_point", std::string());
  if (group.empty()) return point;
  if (group == point) return point + " (the group's one point)";
  return point + " (the group's `" + group + "`: one point for every server)";
}

std::string StateRefusal(const ServerView& s, const char* what) {
  if (s.state.empty()) {
    return std::string("a ") + what + " needs the server registered and replicating in realtime; it is not "
           "registered yet: apply the registration first, then add the table";
  }
  return std::string("a ") + what +
         " is allowed only while the server is realtime, realtime_stopping or "
         "realtime_stopped (its replica is current); it is " +
         s.state +
         (IsOneOf(s.Parsed(), {ServerState::kFullSync, ServerState::kReplicationStarting})
              ? ": wait until the full sync is done"
              : "");
}

// Why a verification the drill asks for has no result yet, or "" when it has one. The plan holds the state lock,
// so a verification still "running" belongs to an apply that died while running it.
std::string PendingVerification(const json& a) {
  const std::string verify = a.value("verify", "");
  if (verify.empty()) return "";
  const json v = a.value("verification", json());
  const std::string kind = v.is_object() ? v.value("kind", "") : "";
  const std::string result = v.is_object() ? v.value("result", "") : "";
  const std::optional<VerificationResult> parsed = ParseVerificationResult(result);
  if (parsed == VerificationResult::kRunning) {
    return "resuming an interrupted " + kind + " verification (the apply running it stopped before it had a result)";
  }
  if (parsed == VerificationResult::kError) {
    return "the drill's " + kind + " verification could not run (" + v.value("detail", "") + "): run it again";
  }
  if (result.empty()) return "the drill's verification (" + verify + ") has no result yet: run it";
  return "";
}

bool ShadowUsable(const ServerView& s) {
  return s.shadow && !s.shadow_gone && state::RecordStatusOf(*s.shadow) == RecordStatus::kCreated;
}

ResourceChange Change(const DrHostView& v, Action action, Operation operation, json before, json after,
                      std::string reason) {
  return {v.address, ResourceKind::kDrHost, action, operation, "", std::move(before), std::move(after), {},
          std::move(reason)};
}

}  // namespace

FailTables FailTablesOf(const DrHostView& failover) {
  if (failover.record && failover.record->attributes.contains("group_point")) {
    return {"[group.failover]", "[group.failback]"};
  }
  return {"[group.server.failover]", "[group.server.failback]"};
}

bool AllowsDrHost(std::optional<ServerState> state) {
  return IsOneOf(state,
                 {ServerState::kRealtime, ServerState::kRealtimeStopping, ServerState::kRealtimeStopped});
}

bool IsFailoverState(std::optional<ServerState> state) {
  return IsOneOf(state,
                 {ServerState::kFailingOver, ServerState::kFailedOver, ServerState::kFailoverConfirmed});
}

std::string PlanDrill(const ServerView& s, const DrHostView& drill, const json* desired,
                      std::vector<ResourceChange>* out) {
  const state::ResourceRecord* r = drill.record;
  if (!desired) {
    if (r) {
      out->push_back(
          Change(drill, Action::kDelete, Operation::kDelete, r->attributes, nullptr,
                 "[group.server.drill] was removed: clear the drill (its DR host and what was written to "
                 "it are deleted; replication is not touched)"));
    }
    return "";
  }
  const std::optional<RecordStatus> status = r ? state::RecordStatusOf(*r) : std::nullopt;
  const bool new_drill = !r || drill.drift == DriftProblem::kDeleted || status == RecordStatus::kDeleting;
  if (new_drill || status == RecordStatus::kCreating) {
    if (status == RecordStatus::kCreating) {
      out->push_back(Change(drill, Action::kCreate, Operation::kCreate, nullptr, *desired,
                            "resuming an interrupted drill (same client token)"));
      return "";
    }
    if (!AllowsDrHost(s.Parsed())) return StateRefusal(s, "drill");
    if (!ShadowUsable(s)) return "a drill needs the server's shadow host, which holds the recovery points; there is none";
    std::string reason = "bring up drill DR host " + desired->value("name", "") + " from recovery point " +
                         PointText(*desired) + "; replication goes on undisturbed";
    if (r && drill.drift == DriftProblem::kDeleted)
      reason = "the drill DR host was deleted outside cdr: " + reason;
    out->push_back(Change(drill, status == RecordStatus::kDeleting ? Action::kReplace : Action::kCreate,
                          Operation::kCreate, r ? r->attributes : json(nullptr), *desired, reason));
    return "";
  }
  const std::vector<std::string> changed = ChangedHostKeys(r->attributes, *desired);
  if (!changed.empty()) {
    if (!AllowsDrHost(s.Parsed())) return StateRefusal(s, "drill");
    ResourceChange c =
        Change(drill, Action::kReplace, Operation::kReplace, r->attributes, *desired,
               "the drill's " + Join(changed) + " changed: bring the drill DR host up again at " +
                   PointText(*desired) + " (what was written to the old one is discarded)");
    c.replace_because = changed;
    out->push_back(std::move(c));
    return "";
  }
  if (drill.drift == DriftProblem::kDrHostStopped) {
    out->push_back(
        Change(drill, Action::kTransition, Operation::kRestart, r->attributes, *desired,
               "the drill DR host is not running: start it again at the same point, keeping its writes"));
    return "";
  }
  if (r->attributes.value("verify", "") != desired->value("verify", "")) {
    out->push_back(Change(drill, Action::kUpdate, Operation::kVerify, r->attributes, *desired,
                          desired->value("verify", "").empty() ? "verification removed from the drill"
                                                               : "the drill's verify changed: run it again"));
    return "";
  }
  if (std::string pending = PendingVerification(r->attributes); !pending.empty()) {
    out->push_back(
        Change(drill, Action::kUpdate, Operation::kVerify, r->attributes, *desired, std::move(pending)));
  }
  return "";
}

std::string PlanFailover(const ServerView& s, const DrHostView& failover, const json* desired, const DrHostView& drill,
                         std::vector<ResourceChange>* out) {
  const state::ResourceRecord* r = failover.record;
  if (!desired) {
    // Removing the table is a rollback, or its refusal: the server's plan carries both (failover_exits.h).
    return "";
  }
  const bool creating = r && state::RecordStatusOf(*r) == RecordStatus::kCreating;
  const bool confirmed = r && r->attributes.value("confirm", false) && !creating;
  if (!r || creating) {
    // failing_over without a record: an interrupted failover resumes.
    if (!r && s.Parsed() != ServerState::kFailingOver) {
      if (drill.record) {
        return "failover is allowed only with no drill: drill DR host " + drill.record->attributes.value("name", "") +
               " is still up; remove [group.server.drill], apply (clears the drill), then declare the failover";
      }
      if (!AllowsDrHost(s.Parsed())) return StateRefusal(s, "failover");
      if (!ShadowUsable(s)) return "a failover needs the server's shadow host, which holds the recovery points; "
                                   "there is none";
    }
    json after = *desired;
    after["confirm"] = false;  // confirming is its own step, after the DR host is up
    out->push_back(Change(failover, Action::kCreate, Operation::kFailover, nullptr, after,
                          r ? "resuming an interrupted failover (same client token)"
                            : "fail over to DR host " + desired->value("name", "") + " at recovery point " +
                                  PointText(*desired) +
                                  ": failing_over → failed_over; replication is stopped"));
    if (desired->value("confirm", false)) {
      out->push_back(
          Change(failover, Action::kTransition, Operation::kConfirm, after, *desired,
                 "confirm = true: the DR host's disks become standalone, then the shadow host and ALL "
                 "recovery points are deleted (failover_confirmed)"));
      if (s.shadow) {
        out->push_back(ShadowHostDelete(
            s, "failover confirmed: the shadow host is deleted with its replicas and every recovery point"));
      }
    }
    return "";
  }
  const std::vector<std::string> changed = ChangedHostKeys(r->attributes, *desired);
  if (confirmed) {
    if (!changed.empty()) {
      return "the failover is confirmed (" + s.state + "): its " + Join(changed) +
             " can no longer change; the recovery points are gone";
    }
    if (!desired->value("confirm", false)) return "the failover is confirmed; confirm cannot go back to false";
    if (s.shadow) {  // a confirm whose shadow host delete did not finish
      out->push_back(ShadowHostDelete(s, "failover confirmed: the shadow host and every recovery point are deleted"));
    }
    if (failover.drift == DriftProblem::kDrHostStopped) {
      out->push_back(Change(failover, Action::kTransition, Operation::kRestart, r->attributes, *desired,
                            "the failover DR host is not running: start it again"));
    }
    return "";
  }
  json after = *desired;
  after["confirm"] = false;
  if (!changed.empty() || failover.drift == DriftProblem::kDeleted) {
    std::string reason = "change recovery point: the failover DR host is brought up again at " + PointText(*desired) +
                         " (failing_over → failed_over; what was written to it is discarded)";
    if (changed.empty()) reason = "the failover DR host was deleted outside cdr: " + reason;
    ResourceChange c =
        Change(failover, Action::kTransition, Operation::kChangeRecoveryPoint, r->attributes, after, reason);
    c.replace_because = changed;
    out->push_back(std::move(c));
  } else if (failover.drift == DriftProblem::kDrHostStopped) {
    out->push_back(
        Change(failover, Action::kTransition, Operation::kRestart, r->attributes, after,
               "the failover DR host is not running: start it again at the same point, keeping its writes"));
  }
  if (desired->value("confirm", false)) {
    out->push_back(
        Change(failover, Action::kTransition, Operation::kConfirm, after, *desired,
               "confirm = true: the DR host's disks become standalone, then the shadow host and ALL "
               "recovery points are deleted (failover_confirmed)"));
    if (s.shadow) {
      out->push_back(ShadowHostDelete(
          s, "failover confirmed: the shadow host is deleted with its replicas and every recovery point"));
    }
  }
  return "";
}

}  // namespace cdr::reconcile::internal
