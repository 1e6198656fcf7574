#include "reconcile/internal/failover_exits.h"

#include "reconcile/internal/failback_transitions.h"

namespace cdr::reconcile::internal {
namespace {

using nlohmann::json;

std::string DrHostName(const DrHostView& v) {
  return v.record ? v.record->attributes.value("name", "") : std::string("(none left)");
}

// What the agent reports, when it answered: a rollback resumes from it.
std::string AgentState(const ServerView& s) {
  if (s.seen && s.seen->status) return s.seen->status->state;
  return "";
}

}  // namespace

bool AllowsRollback(std::optional<ServerState> state) {
  return IsOneOf(state, {ServerState::kFailingOver, ServerState::kFailedOver});
}

std::string PlanRollback(const ServerView& s, const DrHostView& failover, const json& before, const json& after,
                         const std::string& dr_zone, const std::string& vpc, std::vector<ResourceChange>* out) {
  const FailTables tables = FailTablesOf(failover);
  if (!AllowsRollback(s.Parsed())) {
    return tables.failover + " was removed, but the server is " + s.state +
           ": a rollback is allowed only before the failover is confirmed (failing_over, failed_over); the "
           "recovery points and the shadow host are gone now. Put the table back; to stop protecting the server, "
           "remove the whole [[group.server]] table (release: DR host " + DrHostName(failover) +
           " runs on as a standalone host); to bring the service home, add " + tables.failback;
  }
  const std::string agent_state = AgentState(s);
  if (agent_state.empty()) {
    return tables.failover + " was removed (rollback), but the production agent on " +
           before.value("host", "") + " does not answer (the server is " + s.state +
           "): a rollback unfences it and resumes replication from it. Put the table back, or plan again once the "
           "agent answers";
  }
  if (failover.record) {
    out->push_back(MakeChange(failover.address, ResourceKind::kDrHost, Action::kDelete, Operation::kRollback,
                              failover.record->attributes, nullptr,
                              "rollback of the unconfirmed failover: DR host " + DrHostName(failover) +
                                  " is deleted and EVERYTHING WRITTEN TO IT SINCE THE FAILOVER IS LOST"));
  }
  out->push_back(
      MakeChange(s.address, ResourceKind::kServer, Action::kTransition, Operation::kRollback, before, after,
                 "rollback: production on " + before.value("host", "") +
                     " is unfenced and takes writes again (" + s.state + " → " + agent_state + ")"));
  ServerView resumed = s;
  resumed.state = agent_state;
  return PlanReplication(resumed, before, after, dr_zone, vpc, out);
}

std::string PlanRelease(const ServerView& s, const DrHostView& failover, std::vector<ResourceChange>* out) {
  const FailTables tables = FailTablesOf(failover);
  const std::optional<ServerState> current = s.Parsed();
  if (current == ServerState::kFailedBack) {
    if (failover.record) {
      out->push_back(MakeChange(failover.address, ResourceKind::kDrHost, Action::kDelete, Operation::kDelete,
                                failover.record->attributes, nullptr,
                                "the server leaves protection after its failback: DR host " +
                                    DrHostName(failover) +
                                    " (stopped; production holds its data) is deleted"));
    }
    return "";
  }
  if (IsFailbackState(current)) {
    return "cannot deregister while the server is " + s.state + " (failing back from DR host " +
           DrHostName(failover) + "): releasing is allowed only from failover_confirmed, and a failback under way "
           "cannot be cancelled yet; keep the server and its " + tables.failback + " table";
  }
  if (current != ServerState::kFailoverConfirmed) {
    return "cannot deregister while the server is " + s.state + " (DR host " + DrHostName(failover) +
           " carries the service, the failover is not confirmed): deregistering a failed-over server is allowed "
           "only once it is failover_confirmed. Either set confirm = true in " + tables.failover + " and apply, "
           "then remove the server; or roll back (remove " + tables.failover + " and apply), then remove the "
           "server";
  }
  if (failover.record) {
    out->push_back(MakeChange(failover.address, ResourceKind::kDrHost, Action::kTransition,
                              Operation::kRelease, failover.record->attributes, nullptr,
                              "the server leaves protection after a confirmed failover: DR host " +
                                  DrHostName(failover) +
                                  " keeps running as a standalone host, no longer managed by cdr"));
  }
  return "";
}

void PlanFenceRetry(const ServerView& s, const json& attributes, std::vector<ResourceChange>* out) {
  if (!IsOneOf(s.Parsed(), {ServerState::kFailedOver, ServerState::kFailoverConfirmed})) return;
  const std::string host = attributes.value("host", "");
  std::string why;
  if (s.seen && s.seen->status) {
    if (s.seen->status->fenced) return;
    why = "the production agent on " + host + " reports that it is not fenced";
  } else if (!attributes.value("fenced", false)) {
    why = "the production agent on " + host + " could not be fenced (" +
          attributes.value("fence_error", std::string("not reached")) + ")";
  } else {
    return;  // fenced before, and the fence is persisted on the agent
  }
  out->push_back(MakeChange(
      s.address, ResourceKind::kServer, Action::kTransition, Operation::kFence, attributes, attributes,
      why + ": until it is, anything writing to " + host +
          " diverges from the DR host (split brain); fence it so its disks refuse writes"));
}

}  // namespace cdr::reconcile::internal
