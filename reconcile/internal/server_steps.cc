// Protected servers: register (install the agent → initialized), update settings, deregister (uninstall the
// agent; the host itself stays). Each state-machine step is written before and after the provider call.
#include "providers/types/agent.h"
#include "reconcile/address.h"
#include "reconcile/internal/step_context.h"
#include "reconcile/operation.h"
#include "reconcile/server_state.h"

namespace cdr::reconcile::internal {
namespace {

Status Register(StepContext& ctx) {
  state::ResourceRecord r = ctx.CurrentOrNew();
  for (const auto& [key, value] : ctx.change.after.items()) r.attributes[key] = value;
  r.attributes.erase("last_error");
  const std::string host = r.attributes.value("host", "");
  CDR_RETURN_IF_ERROR(ctx.Transition(r, "agent_installing", "install the agent on " + host));
  auto agent = providers::types::CreateAgent(
      ctx.provider, {host, GroupOf(r.address), r.attributes.value("agent_version", "")});
  if (!agent.ok()) {
    r.attributes["last_error"] = agent.status().message();
    CDR_RETURN_IF_ERROR(ctx.Transition(r, "agent_install_failed", agent.status().message()));
    return agent.status();
  }
  r.provider_id = host;
  r.attributes["agent_version"] = agent->version;
  r.attributes.erase("observed");
  r.attributes.erase("rpo_seconds");
  return ctx.Transition(r, "initialized", "agent " + agent->version + " installed on " + host);
}

Status Deregister(StepContext& ctx) {
  auto existing = ctx.store.Get(ctx.change.address);
  if (!existing) return Status::Ok();
  state::ResourceRecord r = *existing;
  // Checked again here: a saved plan may be applied after the server moved on.
  if (!IsInterruptedCdrStep(r.status) && !CanDeregister(r.status)) {
    return FailedPrecondition("cannot deregister " + r.address + " while it is " + r.status);
  }
  const std::string host = r.attributes.value("host", "");
  CDR_RETURN_IF_ERROR(ctx.Transition(r, "deregistering", "uninstall the agent from " + host));
  CDR_RETURN_IF_ERROR(providers::types::DeleteAgent(ctx.provider, host));
  CDR_RETURN_IF_ERROR(ctx.store.AddJobEvent(ctx.job_id, "deregistering", "", "deregistered; host " + host + " stays"));
  return ctx.store.Delete(r.address);
}

Status Update(StepContext& ctx) {
  auto existing = ctx.store.Get(ctx.change.address);
  if (!existing) return NotFound(ctx.change.address + " is no longer in the state");
  state::ResourceRecord r = *existing;
  for (const auto& [key, value] : ctx.change.after.items()) r.attributes[key] = value;
  CDR_RETURN_IF_ERROR(ctx.store.Put(r));
  return ctx.store.AddJobEvent(ctx.job_id, r.status, r.status, "settings updated");
}

// A rename moves the record and everything under it (shadow host, DR hosts) in one transaction; the agent,
// its replication and the recovery points belong to the host, which stays, so nothing else changes. A rename
// resumed after the move finds the record at its new address and only writes the name.
Status Rename(StepContext& ctx) {
  if (!ctx.store.Get(ctx.change.address)) {
    CDR_RETURN_IF_ERROR(ctx.store.Move(ctx.change.previous_address, ctx.change.address));
    CDR_RETURN_IF_ERROR(ctx.store.AddJobEvent(ctx.job_id, "", "",
                                              "renamed " + ctx.change.previous_address + " to " + ctx.change.address));
  }
  return Update(ctx);
}

// A server registered again after a failback keeps its record (registering → initialized, no agent_installing).
bool ComingBack(const StepContext& ctx) {
  auto existing = ctx.store.Get(ctx.change.address);
  return existing &&
         IsOneOf(ParseServerState(existing->status), {ServerState::kFailedBack, ServerState::kRegistering});
}

Status ApplyServerStep(StepContext& ctx) {
  switch (ctx.change.action) {
    case Action::kCreate:
      return Register(ctx);
    case Action::kTransition:
      if (ctx.change.operation == Operation::kRegister && !ComingBack(ctx)) return Register(ctx);
      if (ctx.change.operation == Operation::kFence || ctx.change.operation == Operation::kRollback)
        return ApplyFenceTransition(ctx);
      if (ctx.change.operation == Operation::kUpgradeAgent) return ApplyAgentUpgrade(ctx);
      if (ctx.change.operation == Operation::kReverseRegister ||
          ctx.change.operation == Operation::kLaunchHost || ctx.change.operation == Operation::kFailback ||
          ctx.change.operation == Operation::kRegister) {
        return ApplyFailbackTransition(ctx);
      }
      return ApplyReplicationTransition(ctx);
    case Action::kUpdate:
      return ctx.change.operation == Operation::kRename ? Rename(ctx) : Update(ctx);
    case Action::kDelete:
      return Deregister(ctx);
    case Action::kReplace:
      CDR_RETURN_IF_ERROR(Deregister(ctx));
      return Register(ctx);
    case Action::kNoOp:
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace

// The step, then the agent settings it changed (a start already carried mode, rate and window in its target;
// the journal cap and an update in place reach the agent only here).
Status ApplyServerChange(StepContext& ctx) {
  CDR_RETURN_IF_ERROR(ApplyServerStep(ctx));
  if (ctx.change.action == Action::kDelete || !ChangesAgentSettings(ctx.change)) return Status::Ok();
  return PushAgentSettings(ctx);
}

}  // namespace cdr::reconcile::internal
