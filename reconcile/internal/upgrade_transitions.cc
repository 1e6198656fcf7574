#include "reconcile/internal/upgrade_transitions.h"

#include <algorithm>

#include "reconcile/server_state.h"

namespace cdr::reconcile::internal {
namespace {

using nlohmann::json;

constexpr const char* kAllowed = "initialized, realtime, realtime_stopped";

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

std::string Offered(const providers::AgentVersions& versions) {
  std::string out;
  for (const auto& v : versions.offered) out += (out.empty() ? "" : ", ") + v;
  return out;
}

// What to do in a state that does not allow an upgrade, so that it will.
std::string Advice(const std::string& state, const std::string& running) {
  std::string advice;
  const std::optional<ServerState> current = ParseServerState(state);
  if (IsOneOf(current, {ServerState::kReplicationStarting, ServerState::kFullSync})) {
    advice = "wait until the full sync reaches realtime, or set replication = \"stopped\" and apply";
  } else if (IsErrorState(state)) {
    advice = "bring it out of " + state + " first (cdr apply repairs a replication_error)";
  } else if (IsIntermediateState(state)) {
    advice = "wait until the current step finishes";
  } else {
    advice = "bring the server to one of them first";
  }
  return advice + ", then apply again; until then keep agent_version = " + Quoted(running);
}

ResourceChange Upgrade(const ServerView& s, const json& before, const json& after, std::string reason) {
  return {s.address, ResourceKind::kServer, Action::kTransition, Operation::kUpgradeAgent, "", before, after,
          {},        std::move(reason)};
}

std::string HowItGoes(const std::string& from, const std::string& to, const std::string& state) {
  return ": agent " + from + " is stopped gracefully (its journal flushed), " + to +
         " starts on the same journal, bitmap, disks and certificates and resumes " + state +
         " (no full sync); writes to its NBD export may fail to connect for a moment. If " + to +
         " does not come up healthy the server goes to agent_upgrade_failed: set agent_version back to " +
         Quoted(from) + " and apply to restart " + from + ", or remove the server to deregister it";
}

// No agent_version in the spec: the provider's default release is wanted. Only an agent that says which release
// it runs (it answered this refresh) is moved to it, and only where an upgrade is allowed; elsewhere the drift item
// says so (agent_version_drift.h) and nothing is refused, as the spec asked for nothing.
std::string PlanDefaultRelease(const ServerView& s, const json& before, const json& after,
                               const UpgradeIntent& intent, std::vector<ResourceChange>* out) {
  if (!intent.offered || intent.offered->default_version.empty()) return "";
  if (!s.seen || !s.seen->status || s.seen->status->version.empty()) return "";
  const std::string& running = s.seen->status->version;
  const std::string& want = intent.offered->default_version;
  if (running == want || !AllowsAgentUpgrade(s.Parsed())) return "";
  json to = after;
  to["agent_version"] = want;
  out->push_back(Upgrade(s, before, to,
                         "upgrade agent " + running + " -> " + want +
                             " (the provider's default release; the server names no agent_version)" +
                             HowItGoes(running, want, s.state)));
  return "";
}

}  // namespace

bool AllowsAgentUpgrade(std::optional<ServerState> state) {
  return IsOneOf(state, {ServerState::kInitialized, ServerState::kRealtime, ServerState::kRealtimeStopped});
}

std::string RunningAgentVersion(const ServerView& s, const json& attributes) {
  if (s.seen && s.seen->status && !s.seen->status->version.empty()) return s.seen->status->version;
  if (s.seen && s.seen->agent && !s.seen->agent->version.empty()) return s.seen->agent->version;
  return attributes.value("agent_version", "");
}

std::string PlanAgentUpgrade(const ServerView& s, const json& attributes, const json& before, const json& after,
                             const UpgradeIntent& intent, std::vector<ResourceChange>* out) {
  const std::string& state = s.state;
  const std::string from_version = attributes.value("upgrade_from_version", "");
  const std::string failed_to = attributes.value("upgrade_to", "");
  const std::string from_state = attributes.value("upgrade_from_state", "");
  const std::optional<ServerState> current = s.Parsed();
  if (current == ServerState::kAgentUpgrading) {
    const std::string to = intent.want.value_or(failed_to);
    out->push_back(Upgrade(s, before, after,
                           "upgrade agent " + from_version + " -> " + to +
                               ": resuming an upgrade that an interrupted apply left in agent_upgrading" +
                               HowItGoes(from_version, to, from_state)));
    return "";
  }
  if (current == ServerState::kAgentUpgradeFailed) {
    if (intent.want && *intent.want == from_version) {
      out->push_back(Upgrade(s, before, after,
                             "upgrade agent " + failed_to + " -> " + from_version + ": the upgrade to " + failed_to +
                                 " failed (" + attributes.value("last_error", std::string("unknown")) +
                                 "); going back to " + from_version + ", which resumes " + from_state +
                                 " from its journal (no full sync)"));
      return "";
    }
    return "the server is agent_upgrade_failed: the upgrade of its agent from " + from_version + " to " +
           failed_to + " failed (" + attributes.value("last_error", std::string("unknown")) +
           "), so nothing is replicated. Ways out: set agent_version = " + Quoted(from_version) +
           " (the release before) and apply, which restarts it on the same journal and resumes " + from_state +
           " (no full sync); or remove the [[group.server]] table and apply, which deregisters the server";
  }
  const std::string running = RunningAgentVersion(s, attributes);
  if (!intent.want) return PlanDefaultRelease(s, before, after, intent, out);
  if (*intent.want == running) return "";
  const std::string& want = *intent.want;
  if (intent.offered &&
      std::find(intent.offered->offered.begin(), intent.offered->offered.end(), want) == intent.offered->offered.end()) {
    return "agent_version " + Quoted(want) + " is not offered by the provider (it offers " +
           Offered(*intent.offered) + "); the agent runs " + running;
  }
  if (!AllowsAgentUpgrade(current)) {
    return "cannot upgrade the agent (" + running + " -> " + want + ") while the server is " + state +
           ": an agent upgrade is allowed only in " + kAllowed + "; " + Advice(state, running);
  }
  out->push_back(Upgrade(s, before, after, "upgrade agent " + running + " -> " + want + HowItGoes(running, want, state)));
  return "";
}

}  // namespace cdr::reconcile::internal
