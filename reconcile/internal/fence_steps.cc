// The production agent's write fence around a failover (docs/state-machine.md; agent/write_fence.h): raised
// when the server fails over (and by the `fence` step the plan adds while it is not known to be up), lifted
// by a rollback, which also hands the server's state back to its agent.
//
//   failover ──Fence──► fenced = true  (unreachable: fenced = false + fence_error; the next plan retries)
//   fence (retry) ──Fence──► fenced = true
//   rollback ──Unfence──► the agent's own state (realtime_stopped), then the plan's start_replication resumes
#include <spdlog/spdlog.h>

#include "providers/process_status.h"
#include "providers/types/agent.h"
#include "reconcile/internal/step_context.h"
#include "reconcile/server_state.h"

namespace cdr::reconcile::internal {
namespace {

Result<std::unique_ptr<agent::ReplicationControl>> ConnectProduction(StepContext& ctx, const std::string& host) {
  if (!ctx.options.connect) return FailedPrecondition("this apply cannot reach agents");
  auto agent = providers::types::ReadAgent(ctx.provider, host);
  if (!agent.ok()) return agent.status();
  if (providers::ProcessStatusOf(*agent) != providers::ProcessStatus::kRunning)
    return Unavailable("the agent on " + host + " is " + agent->status);
  return ctx.options.connect(*agent);
}

std::string SplitBrainRisk(const std::string& host) {
  return "until it is fenced, anything that writes to " + host +
         " diverges from the DR host (split brain: two copies of the data both taking writes); the next plan "
         "retries the fence";
}

Status Fence(StepContext& ctx) {
  auto existing = ctx.store.Get(ctx.change.address);
  if (!existing) return NotFound(ctx.change.address + " is no longer in the state");
  state::ResourceRecord r = *existing;
  Status fenced = FenceProduction(ctx, r);
  if (!fenced.ok()) return Unavailable(fenced.message() + "; " + SplitBrainRisk(r.attributes.value("host", "")));
  return Status::Ok();
}

Status Rollback(StepContext& ctx) {
  auto existing = ctx.store.Get(ctx.change.address);
  if (!existing) return NotFound(ctx.change.address + " is no longer in the state");
  state::ResourceRecord r = *existing;
  const std::string host = r.attributes.value("host", "");
  auto control = ConnectProduction(ctx, host);
  if (!control.ok()) {
    return Unavailable("cannot roll back: the agent on " + host + " cannot be reached (" +
                       control.status().message() + "); it stays fenced and the server " + r.status +
                       "; apply again once it answers");
  }
  CDR_RETURN_IF_ERROR((*control)->Unfence());
  auto status = (*control)->GetStatus();
  if (!status.ok()) return status.status();
  r.attributes["fenced"] = false;
  r.attributes.erase("fence_error");
  const std::string to = IsKnownServerState(status->state) ? status->state : "realtime_stopped";
  return ctx.Transition(r, to, "rolled back: the failover DR host is gone, " + host +
                                   " is unfenced and takes writes again; replication resumes from where it stopped");
}

}  // namespace

Status FenceProduction(StepContext& ctx, state::ResourceRecord& server) {
  const std::string host = server.attributes.value("host", "");
  auto control = ConnectProduction(ctx, host);
  Status fenced = control.ok() ? (*control)->Fence() : control.status();
  server.attributes["fenced"] = fenced.ok();
  if (fenced.ok()) {
    server.attributes.erase("fence_error");
    CDR_RETURN_IF_ERROR(ctx.store.Put(server));
    return ctx.store.AddJobEvent(ctx.job_id, server.status, server.status,
                                 "fenced: the agent on " + host + " refuses writes to its disks (reads work)");
  }
  server.attributes["fence_error"] = fenced.message();
  CDR_RETURN_IF_ERROR(ctx.store.Put(server));
  const std::string what = "production on " + host + " could NOT be fenced (" + fenced.message() + ")";
  spdlog::warn("{}: {}", server.address, what);
  CDR_RETURN_IF_ERROR(ctx.store.AddJobEvent(ctx.job_id, server.status, server.status, what));
  return Unavailable(what);
}

Status ApplyFenceTransition(StepContext& ctx) {
  if (ctx.change.operation == Operation::kFence) return Fence(ctx);
  if (ctx.change.operation == Operation::kRollback) return Rollback(ctx);
  return InvalidArgument(std::string("unknown fence transition ") + OperationName(ctx.change.operation));
}

}  // namespace cdr::reconcile::internal
