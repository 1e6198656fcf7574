// upgrade_agent: the server's agent is replaced by another release (upgrade_transitions.h has the plan).
//
//   STATE (initialized | realtime | realtime_stopped)
//     ──► agent_upgrading, recording upgrade_from_state, upgrade_from_version and upgrade_to
//     ──UpgradeAgent (the provider stops the old release gracefully, starts the new one on the same journal)──►
//     poll the new agent: it answers with version `upgrade_to`, in STATE again ──► STATE (agent_version updated)
//     └── it did not start, or did not get back to STATE in time ──► agent_upgrade_failed (last_error says why)
//   agent_upgrading (an apply died mid-upgrade): the same step, from the recorded upgrade_from_state.
//   agent_upgrade_failed with upgrade_to = the release before: the same step back to it.
//
// Nothing is resynced: the new agent resumes from the journal's acknowledged seq, so it sends only the writes
// the shadow has not acknowledged (the status shows bytes_sent, full_sync and repair bytes of the new agent).
#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "providers/process_status.h"
#include "providers/types/agent.h"
#include "reconcile/internal/step_context.h"
#include "reconcile/internal/upgrade_transitions.h"
#include "reconcile/observed_state.h"
#include "reconcile/server_state.h"

namespace cdr::reconcile::internal {
namespace {

using Clock = std::chrono::steady_clock;

// A new agent resumes in seconds; waiting hours (the replication steps' default) would only hide a broken one.
constexpr std::chrono::seconds kHealthyWithin{120};

// The state the server was in before the upgrade: the agent's word when it answers.
std::string StateBefore(StepContext& ctx, const state::ResourceRecord& r) {
  if (IsAgentUpgradeState(r.status)) return r.attributes.value("upgrade_from_state", "");
  if (ctx.options.connect) {
    auto agent = providers::types::ReadAgent(ctx.provider, r.attributes.value("host", ""));
    if (agent.ok() && providers::ProcessStatusOf(*agent) == providers::ProcessStatus::kRunning) {
      auto live = ctx.options.connect(*agent)->GetStatus();
      if (live.ok() && IsKnownServerState(live->state)) return live->state;
    }
  }
  return r.status;
}

Status Fail(StepContext& ctx, state::ResourceRecord& r, const std::string& why) {
  r.attributes["last_error"] = why;
  CDR_RETURN_IF_ERROR(ctx.Transition(r, ServerStateName(ServerState::kAgentUpgradeFailed), why));
  const std::string from = r.attributes.value("upgrade_from_version", "");
  return FailedPrecondition(r.address + ": " + why + ". Ways out: set agent_version = \"" + from +
                            "\" (the release before) and apply; or remove the server from the spec and apply "
                            "(deregister)");
}

// Polls the new agent until it reports `version` in `state`. Returns why not, or "".
std::string WaitHealthy(StepContext& ctx, state::ResourceRecord& r, const providers::Agent& agent,
                        const std::string& version, const std::string& state) {
  if (!ctx.options.connect) return "this apply has no way to reach agents, so the new one could not be checked";
  auto control = ctx.options.connect(agent);
  const auto limit = std::min<Clock::duration>(ctx.options.wait_timeout, kHealthyWithin);
  const auto deadline = Clock::now() + limit;
  std::string last = "no answer yet";
  while (true) {
    auto status = control->GetStatus();
    if (status.ok()) {
      MergeObservation(*status, &r);
      if (status->version != version) return "the agent answers as version \"" + status->version + "\", not " + version;
      const bool failed = ParseServerState(status->state) == ServerState::kReplicationError;
      if (status->state == state || (!ctx.options.wait && !failed)) return "";
      last = "it reports " + status->state;
      if (failed) {
        const std::string error = FirstDiskError(*status);
        return "agent " + version + " went to replication_error" + (error.empty() ? "" : ": " + error);
      }
    } else {
      last = status.status().message();
    }
    if (Clock::now() >= deadline) {
      return "agent " + version + " did not get back to " + state + " within " +
             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(limit).count()) +
             " s (" + last + ")";
    }
    std::this_thread::sleep_for(ctx.options.poll_interval);
  }
}

}  // namespace

Status ApplyAgentUpgrade(StepContext& ctx) {
  auto existing = ctx.store.Get(ctx.change.address);
  if (!existing) return NotFound(ctx.change.address + " is no longer in the state");
  state::ResourceRecord r = *existing;
  const std::string to = ctx.change.after.value("agent_version", "");
  if (to.empty()) return InvalidArgument(r.address + ": the plan names no agent_version to upgrade to");
  const std::string host = r.attributes.value("host", "");
  const std::string from_state = StateBefore(ctx, r);
  // Checked again here: a saved plan may be applied after the server moved on.
  if (!IsAgentUpgradeState(r.status) && !AllowsAgentUpgrade(ParseServerState(from_state))) {
    return FailedPrecondition("cannot upgrade the agent of " + r.address + " while the server is " + from_state +
                              ": allowed only in initialized, realtime, realtime_stopped; run cdr plan again");
  }
  if (!IsAgentUpgradeState(r.status)) {
    r.attributes["upgrade_from_state"] = from_state;
    r.attributes["upgrade_from_version"] = r.attributes.value("agent_version", "");
  }
  const std::string from_version = r.attributes.value(
      ParseServerState(r.status) == ServerState::kAgentUpgradeFailed ? "upgrade_to" : "upgrade_from_version",
      std::string());
  r.attributes["upgrade_to"] = to;
  CDR_RETURN_IF_ERROR(ctx.Transition(r, ServerStateName(ServerState::kAgentUpgrading),
                                     "upgrade agent " + from_version + " -> " + to + " on " + host));

  auto agent = providers::types::UpgradeAgent(ctx.provider, {host, to});
  if (!agent.ok()) return Fail(ctx, r, agent.status().message());
  const std::string unhealthy = WaitHealthy(ctx, r, *agent, to, from_state);
  if (!unhealthy.empty()) return Fail(ctx, r, unhealthy);

  r.attributes["agent_version"] = to;
  for (const char* key : {"upgrade_from_state", "upgrade_from_version", "upgrade_to", "last_error"}) {
    r.attributes.erase(key);
  }
  spdlog::info("{}: agent {} runs on {}", r.address, to, host);
  return ctx.Transition(r, from_state,
                        "agent " + to + " is up in " + from_state + " (replication resumed from its journal)");
}

}  // namespace cdr::reconcile::internal
