#include "reconcile/internal/production_seqs.h"

#include "providers/process_status.h"
#include "providers/types/agent.h"
#include "reconcile/server_state.h"

namespace cdr::reconcile::internal {

ProductionSeqs FencedProductionSeqs(StepContext& ctx, const std::string& host) {
  ProductionSeqs out;
  if (!ctx.options.connect) {
    out.why = "this apply cannot reach production's agent";
    return out;
  }
  auto agent = providers::types::ReadAgent(ctx.provider, host);
  if (!agent.ok() || providers::ProcessStatusOf(*agent) != providers::ProcessStatus::kRunning) {
    out.why =
        "production's agent on " + host + " is " + (agent.ok() ? agent->status : agent.status().message());
    return out;
  }
  auto status = ctx.options.connect(*agent)->GetStatus();
  if (!status.ok()) {
    out.why = "production's agent on " + host + " does not answer (" + status.status().message() + ")";
    return out;
  }
  if (!status->fenced) {
    out.why = "production's agent on " + host + " is not fenced";
    return out;
  }
  // In these states every write on the disk is journaled (no crash left one unrecorded, no repair is due), so
  // the disk is the history up to its journal seq when the history reached that seq.
  if (!IsOneOf(ParseServerState(status->state),
               {ServerState::kRealtime, ServerState::kRealtimeStopping, ServerState::kRealtimeStopped})) {
    out.why = "production's agent on " + host + " is " + status->state + " (its journal may miss writes)";
    return out;
  }
  std::map<std::string, uint64_t> seqs;
  for (const auto& d : status->disks) seqs[d.disk] = d.journal_seq;
  out.seqs = std::move(seqs);
  out.why = "production on " + host + " is fenced, its journal complete";
  return out;
}

}  // namespace cdr::reconcile::internal
