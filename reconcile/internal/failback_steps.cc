// Failback's apply steps (failback_transitions.h), each written to the state before and after its provider call.
//
//   reverse_register: reverse_registering ──InstallReverseAgent(DR host)──► reverse_initialized
//                     (failed: back to the state it came from, with last_error; the next plan retries)
#include "reconcile/address.h"
#include "reconcile/internal/step_context.h"
#include "reconcile/server_state.h"

namespace cdr::reconcile::internal {
namespace {

Status ReverseRegister(StepContext& ctx) {
  auto existing = ctx.store.Get(ctx.change.address);
  if (!existing) return NotFound(ctx.change.address + " is no longer in the state");
  state::ResourceRecord r = *existing;
  auto failover = ctx.store.Get(FailoverAddress(r.address));
  if (!failover || failover->provider_id.empty()) {
    return FailedPrecondition("cannot reverse register " + r.address + ": its failover DR host is not in the state");
  }
  const std::string dr_host = failover->provider_id;
  // An interrupted registration came from failover_confirmed; a restarted reverse agent keeps its own state.
  const std::string from = r.status == "reverse_registering" ? "failover_confirmed" : r.status;
  CDR_RETURN_IF_ERROR(ctx.Transition(r, "reverse_registering",
                                     "put a cdr-agent in front of DR host " + dr_host + "'s disks"));
  auto agent = ctx.provider.InstallReverseAgent({dr_host, GroupOf(r.address)});
  if (!agent.ok()) {
    r.attributes["last_error"] = agent.status().message();
    CDR_RETURN_IF_ERROR(ctx.Transition(r, from, "reverse registration failed: " + agent.status().message()));
    return agent.status();
  }
  // The DR host's disks are the agent's export from now on: status shows where to reach them.
  state::ResourceRecord dr = *failover;
  dr.attributes["nbd_address"] = agent->nbd_address;
  CDR_RETURN_IF_ERROR(ctx.store.Put(dr));
  r.attributes["reverse_agent"] = dr_host;
  r.attributes.erase("last_error");
  r.attributes.erase("observed");
  r.attributes.erase("rpo_seconds");
  const std::string to = from == "failover_confirmed" ? "reverse_initialized" : from;
  return ctx.Transition(r, to, "reverse agent " + agent->version + " fronts DR host " + dr_host + "'s disks (NBD " +
                                   agent->nbd_address + "); the DR host is the protected side now");
}

}  // namespace

Status ApplyFailbackTransition(StepContext& ctx) {
  if (ctx.change.operation == "reverse_register") return ReverseRegister(ctx);
  return InvalidArgument("unknown failback transition " + ctx.change.operation);
}

}  // namespace cdr::reconcile::internal
