// The spec's agent settings (reconcile/agent_settings.h) set on a server's running agent in place, after the
// step that recorded them: an update in place, a register, a start. The agent applies them live (no resync)
// and keeps them across restarts; refresh compares what it reports with the state.
#include "providers/process_status.h"
#include "providers/types/agent.h"
#include "reconcile/agent_settings.h"
#include "reconcile/internal/dr_host_transitions.h"
#include "reconcile/internal/step_context.h"
#include "reconcile/refresh.h"
#include "reconcile/reverse_states.h"

namespace cdr::reconcile::internal {

bool ChangesAgentSettings(const ResourceChange& change) {
  if (!change.after.is_object()) return false;
  for (AgentSettingKey key : kAgentSettingKeys) {
    const char* name = AgentSettingName(key);
    if (!change.after.contains(name)) continue;
    if (!change.before.is_object() || !change.before.contains(name) ||
        change.before[name] != change.after[name]) {
      return true;
    }
  }
  return false;
}

Status PushAgentSettings(StepContext& ctx) {
  if (!ctx.options.connect) return Status::Ok();  // a plan-only apply, or a test without agents
  auto existing = ctx.store.Get(ctx.change.address);
  if (!existing) return Status::Ok();
  const state::ResourceRecord& r = *existing;
  // Failed over (the production agent is fenced or gone), failing back (the reverse agent replicates) or a
  // step cdr drives: the settings are recorded and reach the agent with the next apply that finds it serving.
  if (IsFailoverState(ParseServerState(r.status)) || IsReverseAgentState(r.status) || OwnedByCdr(r.status)) {
    return Status::Ok();
  }
  const std::string host = r.attributes.value("host", "");
  auto agent = providers::types::ReadAgent(ctx.provider, host);
  if (!agent.ok()) return agent.status();
  if (providers::ProcessStatusOf(*agent) != providers::ProcessStatus::kRunning) {
    return FailedPrecondition(
        r.address + ": the agent on " + host + " is " + agent->status +
        ", so its settings cannot be set; the next plan restarts it first (run cdr plan again)");
  }
  if (Status s = ctx.options.connect(*agent)->SetSettings(SettingsUpdateOf(r.attributes)); !s.ok()) {
    return Status(s.code(), r.address + ": setting the agent's settings failed: " + s.message());
  }
  std::string set;
  for (AgentSettingKey key : kAgentSettingKeys) {
    const char* name = AgentSettingName(key);
    if (r.attributes.contains(name))
      set += (set.empty() ? "" : ", ") + std::string(name) + " = " + r.attributes[name].dump();
  }
  return ctx.store.AddJobEvent(ctx.job_id, r.status, r.status,
                               "agent settings set in place (no resync): " + set);
}

}  // namespace cdr::reconcile::internal
