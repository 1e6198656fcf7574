// What one apply step works with: the change, the state store, the provider and the step's job.
#pragma once

#include <cstdint>
#include <string>

#include "providers/resource_provider.h"
#include "reconcile/apply.h"
#include "reconcile/plan.h"
#include "state/state_store.h"

namespace cdr::reconcile::internal {

struct StepContext {
  const ResourceChange& change;
  state::StateStore& store;
  providers::ResourceProvider& provider;
  int64_t job_id;
  const ApplyOptions& options;

  // Writes `record` with status `to` (durably), logs "address: from → to (why)" and records a job event.
  Status Transition(state::ResourceRecord& record, const std::string& to, const std::string& why);
  // The record in the state at the change's address, or a fresh one of the change's kind.
  state::ResourceRecord CurrentOrNew() const;
};

Status ApplyGroupChange(StepContext& ctx);
Status ApplyNetworkChange(StepContext& ctx);  // peering and endpoint
Status ApplyServerChange(StepContext& ctx);
Status ApplyShadowHostChange(StepContext& ctx);
Status ApplyDrHostChange(StepContext& ctx);  // drill and failover DR hosts (dr_host_steps.cc)
// start_replication, stop_replication, repair, restart_agent, retarget_replication (replication_steps.cc).
Status ApplyReplicationTransition(StepContext& ctx);
// fence and rollback (fence_steps.cc).
Status ApplyFenceTransition(StepContext& ctx);
// upgrade_agent (upgrade_steps.cc).
Status ApplyAgentUpgrade(StepContext& ctx);
// reverse_register (failback_steps.cc).
Status ApplyFailbackTransition(StepContext& ctx);
// agent_settings_steps.cc: whether `change` sets an agent setting to a value other than its before, and
// setting the record's managed settings on its running agent in place (kFailedPrecondition when the agent is
// not running).
bool ChangesAgentSettings(const ResourceChange& change);
Status PushAgentSettings(StepContext& ctx);
// Raises the write fence of `server`'s production agent and records `fenced` (and `fence_error`) on it. The
// failure says why it could not be fenced; the failover goes on without it, the plan retries.
Status FenceProduction(StepContext& ctx, state::ResourceRecord& server);

}  // namespace cdr::reconcile::internal
