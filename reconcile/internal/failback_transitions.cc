#include "reconcile/internal/failback_transitions.h"

#include "reconcile/reverse_states.h"

namespace cdr::reconcile::internal {
namespace {

using nlohmann::json;

constexpr char kFailbackStates[] =
    "failover_confirmed (to start), or one of the failback's own states (reverse_registering, reverse_*, "
    "failing_back, failed_back, failback_error)";

std::string DrHostName(const DrHostView& v) { return v.record ? v.record->attributes.value("name", "") : ""; }

// Why the reverse agent must be (re)installed now; "" when it runs.
std::string ReverseAgentMissing(const ServerView& s, const std::string& dr_host) {
  if (s.state == "failover_confirmed") {
    return "reverse register: a cdr-agent is put in front of DR host " + dr_host +
           "'s disks, which become the protected side (failover_confirmed → reverse_registering → "
           "reverse_initialized); the DR host's disks are then served by that agent";
  }
  if (s.state == "reverse_registering") return "resuming an interrupted reverse registration of DR host " + dr_host;
  if (!s.seen || !s.seen->agent) return "the reverse agent on DR host " + dr_host + " is gone: install it again";
  if (s.seen->agent->status != "running") {
    return "the reverse agent on DR host " + dr_host + " is not running: start it again (its journal is kept)";
  }
  return "";
}

}  // namespace

bool IsFailbackState(const std::string& state) {
  return state == "reverse_registering" || IsReverseAgentState(state) || state == "reverse_repair_stopping" ||
         state == "reverse_repair_stopped" || state == "failing_back" || state == "failed_back" ||
         state == "failback_error";
}

std::string PlanFailback(const ServerView& s, const DrHostView& failover, bool declared, const json& before,
                         const json& after, std::vector<ResourceChange>* out) {
  if (!declared) {
    return "[group.server.failback] was removed, but the server is " + s.state +
           ": a failback under way cannot be cancelled yet; put the table back";
  }
  if (s.state != "failover_confirmed" && !IsFailbackState(s.state)) {
    return "failback is allowed only from " + std::string(kFailbackStates) + "; the server is " +
           (s.state.empty() ? std::string("not registered") : s.state) +
           ". Fail over first ([group.server.failover]) and confirm it (confirm = true), or remove "
           "[group.server.failback]";
  }
  if (!failover.record) {
    return "failback needs the failover DR host, and the server (" + s.state +
           ") has none in the state: put [group.server.failover] back as it was";
  }
  if (s.state != "failover_confirmed" && !IsReverseAgentState(s.state) && s.state != "reverse_registering") {
    return "";  // reverse_repair_stopping/stopped and the failback proper are not built yet: nothing to plan
  }
  if (std::string why = ReverseAgentMissing(s, DrHostName(failover)); !why.empty()) {
    out->push_back({s.address, "server", Action::kTransition, "reverse_register", "", before, after, {}, why});
  }
  return "";
}

}  // namespace cdr::reconcile::internal
