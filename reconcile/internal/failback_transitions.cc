#include "reconcile/internal/failback_transitions.h"

#include "providers/process_status.h"
#include "reconcile/address.h"
#include "reconcile/reverse_states.h"

namespace cdr::reconcile::internal {
namespace {

using nlohmann::json;

constexpr char kFailbackStates[] =
    "failover_confirmed (to start), or one of the failback's own states (reverse_registering, reverse_*, "
    "failing_back, failed_back, failback_error)";

std::string DrHostName(const DrHostView& v) { return v.record ? v.record->attributes.value("name", "") : ""; }
std::string DrHostId(const DrHostView& v) { return v.record ? v.record->provider_id : ""; }

// Why the reverse agent must be (re)installed now; "" when it runs.
std::string ReverseAgentMissing(const ServerView& s, const std::string& dr_host) {
  const std::optional<ServerState> current = s.Parsed();
  if (current == ServerState::kFailoverConfirmed) {
    return "reverse register: a cdr-agent is put in front of DR host " + dr_host +
           "'s disks, which become the protected side (failover_confirmed → reverse_registering → "
           "reverse_initialized); the DR host's disks are then served by that agent";
  }
  if (current == ServerState::kReverseRegistering)
    return "resuming an interrupted reverse registration of DR host " + dr_host;
  if (!s.seen || !s.seen->agent) return "the reverse agent on DR host " + dr_host + " is gone: install it again";
  if (providers::ProcessStatusOf(*s.seen->agent) != providers::ProcessStatus::kRunning) {
    return "the reverse agent on DR host " + dr_host + " is not running: start it again (its journal is kept)";
  }
  return "";
}

// The host that gets the DR host's data: production's own, or the new one restore_to_original = false launches.
std::string HomeHost(const FailbackIntent& intent, const json& after) {
  return intent.restore_to_original ? after.value("host", "") : intent.new_host;
}

// restore_to_original = false, before its receiver: the new production host, unless the failback launched it.
void PlanLaunch(const ServerView& s, const DrHostView& failover, const FailbackIntent& intent, const json& before,
                const json& after, std::vector<ResourceChange>* out) {
  if (intent.restore_to_original || !intent.launched_host.empty()) return;
  json launch = after;
  launch["launch"] = {{"name", intent.new_host},
                      {"zone", intent.production_zone},
                      {"vpc", intent.vpc},
                      {"flavor", intent.new_host_flavor},
                      {"ip", intent.new_host_ip}};
  out->push_back(MakeChange(s.address, ResourceKind::kServer, Action::kTransition, Operation::kLaunchHost,
                            before, launch,
                            "restore_to_original = false: a new production host " + intent.new_host + " (" +
                                intent.new_host_flavor + ", ip " + intent.new_host_ip + ") is launched in " +
                                intent.production_zone + " with empty disks shaped like DR host " +
                                DrHostName(failover) + "'s; reverse replication fills them by a full sync"));
}

// The forward operation when it commands the reverse agent (replication_steps.cc tells them apart).
std::optional<Operation> ReverseOperation(Operation forward) {
  switch (forward) {
    case Operation::kStartReplication:
      return Operation::kStartReverseReplication;
    case Operation::kStopReplication:
      return Operation::kStopReverseReplication;
    case Operation::kRepair:
      return Operation::kReverseRepair;
    case Operation::kRetargetReplication:
      return Operation::kRetargetReverseReplication;
    default:
      return std::nullopt;
  }
}

// Reverse replication is the forward plan run on the reverse agent, in the agent's own (forward) state, towards a
// receiver in the production zone whose replicas are production's disks. `agent_state` is the forward state.
std::string PlanReverseReplication(const ServerView& s, const std::string& agent_state, const DrHostView& failover,
                                   const FailbackIntent& intent, const json& before, const json& after,
                                   std::vector<ResourceChange>* out) {
  ServerView v = s;
  v.state = agent_state;
  json sender = after;
  sender["host"] = DrHostId(failover);  // the reverse agent replicates as the DR host
  const size_t first = out->size();
  std::string refusal = PlanReplication(v, before, sender, intent.production_zone, intent.vpc, out);
  if (!refusal.empty()) return "reverse replication: " + refusal;
  const std::string production = HomeHost(intent, after);
  const bool compare = intent.restore_to_original;
  for (size_t i = first; i < out->size(); ++i) {
    ResourceChange& c = (*out)[i];
    if (c.kind == ResourceKind::kShadowHost && c.action == Action::kCreate) {
      c.after["replicas_are_disks_of"] = production;
      c.after["compare_first"] = compare;
      c.after["recovery_points"] = nullptr;  // a receiver of the way home keeps no history
      c.reason = "reverse replication needs a receiver in the production zone: a shadow host whose replicas ARE " +
                 production + "'s disks" +
                 (compare ? " (fenced meanwhile), so only the blocks that differ from the DR host's travel"
                          : " (new and empty), so a full sync copies the DR host's disks into them");
    } else if (c.kind == ResourceKind::kServer) {
      const std::optional<Operation> op = ReverseOperation(c.operation);
      if (!op) continue;
      c.operation = *op;
      c.after = after;
      c.reason =
          "reverse replication (DR host " + DrHostName(failover) + " → " + production + "): " +
          (c.operation != Operation::kStartReverseReplication ? c.reason
           : compare ? "compare the DR host's disks with " + production +
                           "'s by block hashes, send only "
                           "the blocks that differ, then every new write in realtime"
                     : "a full sync of the DR host's disks into the new host's, then every new write in "
                       "realtime");
    }
  }
  return "";
}

ResourceChange FailbackChange(const ServerView& s, const DrHostView& failover, const FailbackIntent& intent,
                              const json& before, const json& after, const std::string& why) {
  const std::string production = HomeHost(intent, after);
  const std::string old_host =
      intent.restore_to_original ? ""
                                 : "; " + intent.state_host + " leaves protection (its agent is uninstalled) and " +
                                       production + " is the server's host: set host = \"" + production +
                                       "\" in the spec";
  return MakeChange(
      s.address, ResourceKind::kServer, Action::kTransition, Operation::kFailback, before, after,
      why + "DR host " + DrHostName(failover) + " is fenced and its last writes drained into " + production +
          ", reverse replication stops, then " + production +
          " takes writes again with exactly the DR host's "
          "data (failing_back → failed_back); the DR host stays, stopped, until production is protected "
          "again" +
          old_host);
}

// After a failback, with the tables gone: production is registered and protected again, its new replicas seeded
// with the DR host's disks (equal to production's since the failback), which is deleted then.
void PlanReprotect(const ServerView& s, const DrHostView& failover, const FailbackIntent& intent, const json& before,
                   const json& after, std::vector<ResourceChange>* out) {
  const std::string production = after.value("host", "");
  out->push_back(MakeChange(
      s.address, ResourceKind::kServer, Action::kTransition, Operation::kRegister, before, after,
      "failed back: protect " + production + " again (" + s.state + " → registering → initialized)"));
  ServerView v = s;
  v.state = ServerStateName(ServerState::kInitialized);
  const size_t first = out->size();
  PlanReplication(v, before, after, intent.dr_zone, intent.vpc, out);
  size_t dr_delete_at = out->size();
  for (size_t i = first; i < out->size(); ++i) {
    ResourceChange& c = (*out)[i];
    if (c.kind == ResourceKind::kServer && c.operation == Operation::kStartReplication && failover.record) {
      c.reason += "; the seeded replicas are compared first: only the blocks that differ are sent, no full sync";
    }
    if (c.kind != ResourceKind::kShadowHost || c.action != Action::kCreate || !failover.record) continue;
    c.after["seed_from_dr_host"] = DrHostId(failover);
    c.reason = "protection again: the new shadow host's replicas are DR host " + DrHostName(failover) +
               "'s disks, equal to " + production + "'s since the failback, so replication compares first and "
               "sends only the blocks that differ";
    dr_delete_at = i + 1;
  }
  if (!failover.record) return;
  out->insert(out->begin() + static_cast<std::ptrdiff_t>(dr_delete_at),
              MakeChange(failover.address, ResourceKind::kDrHost, Action::kDelete, Operation::kDelete,
                         failover.record->attributes, nullptr,
                         "failed back: DR host " + DrHostName(failover) + " is deleted (its disks seed " +
                             production + "'s new replicas when replication runs)"));
}

}  // namespace

bool IsFailbackState(std::optional<ServerState> state) {
  return (state && ForwardOf(*state)) ||
         IsOneOf(state, {ServerState::kReverseRegistering, ServerState::kFailingBack,
                         ServerState::kFailedBack, ServerState::kFailbackError, ServerState::kRegistering});
}

std::string PlanFailback(const ServerView& s, const DrHostView& failover, const FailbackIntent& intent,
                         const json& before, const json& after, std::vector<ResourceChange>* out) {
  const std::optional<ServerState> current = s.Parsed();
  const bool done = IsOneOf(current, {ServerState::kFailedBack, ServerState::kRegistering});
  const FailTables tables =
      intent.group_tables ? FailTables{"[group.failover]", "[group.failback]"} : FailTablesOf(failover);
  if (!intent.declared) {
    if (!done) {
      return tables.failback + " was removed, but the server is " + s.state +
             ": a failback under way cannot be cancelled; put the table back";
    }
    if (intent.failover_declared) {
      return "the server is " + s.state + ": remove " + tables.failover + " as well (with " + tables.failback +
             " gone) to protect " + after.value("host", "") + " again";
    }
    if (!intent.state_host.empty() && intent.state_host != after.value("host", "")) {
      return "the server is " + s.state + " on host " + intent.state_host + " (failed back to a new production "
             "host): set host = \"" + intent.state_host + "\" in the spec to protect it again";
    }
    PlanReprotect(s, failover, intent, before, after, out);
    return "";
  }
  if (done) return "";  // the failback is over: removing both tables protects production again
  if (current != ServerState::kFailoverConfirmed && !IsFailbackState(current)) {
    return "failback is allowed only from " + std::string(kFailbackStates) + "; the server is " +
           (s.state.empty() ? std::string("not registered") : s.state) +
           ". Fail over first (" + tables.failover + ") and confirm it (confirm = true), or remove " +
           tables.failback;
  }
  if (!intent.restore_to_original && !intent.launched_host.empty() && intent.launched_host != intent.new_host) {
    return "the failback (" + s.state + ") already launched new production host " + intent.launched_host +
           ", which reverse replication fills: put name = \"" + intent.launched_host + "\" back";
  }
  if (!failover.record) {
    return "failback needs the failover DR host, and the server (" + s.state +
           ") has none in the state: put " + tables.failover + " back as it was";
  }
  const bool running = WantsReplication(after);
  const bool cut_over = running && intent.cutover;
  if (IsOneOf(current, {ServerState::kFailingBack, ServerState::kFailbackError})) {
    out->push_back(FailbackChange(s, failover, intent, before, after,
                                  current == ServerState::kFailbackError
                                      ? "retrying the failback (" + s.state + "): "
                                      : "resuming an interrupted failback: "));
    return "";
  }
  const bool registering =
      IsOneOf(current, {ServerState::kFailoverConfirmed, ServerState::kReverseRegistering});
  ServerView reverse = s;
  if (std::string why = ReverseAgentMissing(s, DrHostName(failover)); !why.empty()) {
    out->push_back(MakeChange(s.address, ResourceKind::kServer, Action::kTransition,
                              Operation::kReverseRegister, before, after, why));
    if (!registering && !s.shadow_stopped && !s.target_stale) {
      // A restarted reverse agent resumes its replication by itself (repairing what a crash may have left).
      if (cut_over && IsReplicating(current ? ForwardOf(*current) : std::nullopt)) {
        out->push_back(FailbackChange(s, failover, intent, before, after, "once the restarted reverse agent is realtime: "));
      }
      return "";
    }
    // Its receiver went too: the restarted agent would stream to the receiver's old address, so the
    // receiver's restart and the retarget follow in this plan. The reverse register above is what restarts
    // the agent.
    if (!registering) reverse.seen = nullptr;
  }
  const std::string agent_state =
      registering ? ServerStateName(ServerState::kInitialized) : std::string(ForwardState(s.state));
  if (running) PlanLaunch(s, failover, intent, before, after, out);
  const size_t planned = out->size();
  if (std::string refusal =
          PlanReverseReplication(reverse, agent_state, failover, intent, before, after, out);
      !refusal.empty()) {
    return refusal;
  }
  // Each of these waits for reverse realtime, from which the failback goes on in the same apply.
  bool reaches_realtime = false;
  for (size_t i = planned; i < out->size(); ++i) {
    const Operation op = (*out)[i].operation;
    reaches_realtime = reaches_realtime || op == Operation::kStartReverseReplication ||
                       op == Operation::kRetargetReverseReplication || op == Operation::kReverseRepair;
  }
  const bool realtime_now = current == ServerState::kReverseRealtime && out->size() == planned;
  if (cut_over && (reaches_realtime || realtime_now)) {
    out->push_back(FailbackChange(s, failover, intent, before, after,
                                  reaches_realtime ? "once reverse replication is realtime: " : ""));
  }
  return "";
}

}  // namespace cdr::reconcile::internal
