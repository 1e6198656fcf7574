// A protected server's shadow host: made with a client token stored in the state before the call (as the
// network resources are), so an apply killed mid-create finds the same shadow host again. Deleting it deletes
// the replicas; the plan shows that as its own change. A stopped one is restarted with the same token (`restart`).
#include <spdlog/spdlog.h>

#include "common/random_hex.h"
#include "providers/process_status.h"
#include "providers/types/recovery_points.h"
#include "providers/types/shadow_host.h"
#include "reconcile/address.h"
#include "reconcile/internal/step_context.h"
#include "state/record_status.h"

namespace cdr::reconcile::internal {
namespace {

providers::ShadowHostRequest RequestFor(const StepContext& ctx, const std::string& token, const nlohmann::json& a) {
  return {token,
          "shadow-" + LeafName(ServerOf(ctx.change.address)),
          a.value("zone", ""),
          a.value("vpc", ""),
          a.value("server_id", ""),
          a.value("disk_type", ""),
          GroupOf(ctx.change.address),
          LeafName(ServerOf(ctx.change.address)),
          a.value("replicas_are_disks_of", ""),
          a.value("seed_from_dr_host", "")};
}

Status SetPolicy(StepContext& ctx, const state::ResourceRecord& r, const nlohmann::json& policy) {
  if (!policy.is_object()) return Status::Ok();
  providers::RecoveryPolicyRequest request;
  request.shadow_host_id = r.provider_id;
  request.server_id = r.attributes.value("server_id", "");
  request.every_seconds = policy.value("every_seconds", 3600);
  request.keep = policy.value("keep", 24);
  return providers::types::SetRecoveryPolicy(ctx.provider, request);
}

void RecordShadow(const providers::ShadowHost& shadow, state::ResourceRecord* r) {
  r->provider_id = shadow.id;
  r->attributes["id"] = shadow.id;
  r->attributes["name"] = shadow.name;
  r->attributes["replication_address"] = shadow.replication_address;
  r->attributes["replica_dir"] = shadow.replica_dir;
  r->attributes["metrics_address"] = shadow.metrics_address;
}

Status Delete(StepContext& ctx) {
  auto existing = ctx.store.Get(ctx.change.address);
  if (!existing) return Status::Ok();
  state::ResourceRecord r = *existing;
  const std::string token = r.attributes.value("client_token", "");
  if (r.provider_id.empty() && !token.empty()) {
    // An interrupted create may have made the shadow host without us learning its id; the token finds it.
    auto shadow = providers::types::CreateShadowHost(ctx.provider, RequestFor(ctx, token, r.attributes));
    if (!shadow.ok()) return shadow.status();
    RecordShadow(*shadow, &r);
  }
  CDR_RETURN_IF_ERROR(ctx.Transition(r, "deleting", "delete shadow host " + r.provider_id + " and its replicas"));
  if (!r.provider_id.empty())
    CDR_RETURN_IF_ERROR(providers::types::DeleteShadowHost(ctx.provider, r.provider_id));
  CDR_RETURN_IF_ERROR(ctx.store.AddJobEvent(ctx.job_id, "deleting", "", "deleted " + r.provider_id));
  return ctx.store.Delete(r.address);
}

Status Create(StepContext& ctx) {
  state::ResourceRecord r = ctx.CurrentOrNew();
  std::string token = state::RecordStatusOf(r) == state::RecordStatus::kCreating
                          ? r.attributes.value("client_token", "")
                          : "";
  if (token.empty()) token = RandomHex(16);
  r.attributes = ctx.change.after;
  r.attributes["client_token"] = token;
  r.provider_id.clear();
  CDR_RETURN_IF_ERROR(ctx.Transition(r, "creating", "create the shadow host with client token " + token));
  auto shadow = providers::types::CreateShadowHost(ctx.provider, RequestFor(ctx, token, ctx.change.after));
  if (!shadow.ok()) return shadow.status();
  RecordShadow(*shadow, &r);
  CDR_RETURN_IF_ERROR(SetPolicy(ctx, r, ctx.change.after.value("recovery_points", nlohmann::json())));
  return ctx.Transition(r, "created", "shadow host " + shadow->id + " receives at " + shadow->replication_address);
}

// The recovery point policy changed in the spec: the shadow host applies it (and prunes) from now on.
Status UpdatePolicy(StepContext& ctx) {
  auto existing = ctx.store.Get(ctx.change.address);
  if (!existing) return NotFound(ctx.change.address + " is no longer in the state; run cdr plan again");
  state::ResourceRecord r = *existing;
  const nlohmann::json policy = ctx.change.after.value("recovery_points", nlohmann::json());
  CDR_RETURN_IF_ERROR(SetPolicy(ctx, r, policy));
  r.attributes["recovery_points"] = policy;
  CDR_RETURN_IF_ERROR(ctx.store.Put(r));
  return ctx.store.AddJobEvent(ctx.job_id, r.status, r.status, "recovery point policy " + policy.dump());
}

// CreateShadowHost with the recorded client token finds the host and starts its process again; the replicas stay.
Status Restart(StepContext& ctx) {
  auto existing = ctx.store.Get(ctx.change.address);
  if (!existing) return NotFound(ctx.change.address + " is no longer in the state; run cdr plan again");
  state::ResourceRecord r = *existing;
  const std::string token = r.attributes.value("client_token", "");
  if (token.empty()) {
    return FailedPrecondition(r.address + " has no client_token in the state, so its shadow host cannot be found "
                              "again; remove the server's replication and apply, or delete the shadow host");
  }
  const std::string old_address = r.attributes.value("replication_address", "");
  auto shadow = providers::types::CreateShadowHost(ctx.provider, RequestFor(ctx, token, r.attributes));
  if (!shadow.ok()) return shadow.status();
  if (providers::ProcessStatusOf(*shadow) == providers::ProcessStatus::kStopped) {
    return Unavailable("shadow host " + shadow->id + " is still stopped after restarting it");
  }
  RecordShadow(*shadow, &r);
  CDR_RETURN_IF_ERROR(ctx.store.Put(r));
  const std::string why = "restarted shadow host " + shadow->id + ": receives at " + shadow->replication_address +
                          (old_address.empty() || old_address == shadow->replication_address
                               ? ""
                               : " (was " + old_address + ")");
  spdlog::info("{}: {}", r.address, why);
  return ctx.store.AddJobEvent(ctx.job_id, r.status, r.status, why);
}

}  // namespace

Status ApplyShadowHostChange(StepContext& ctx) {
  switch (ctx.change.action) {
    case Action::kCreate:
      return Create(ctx);
    case Action::kDelete:
      return Delete(ctx);
    case Action::kReplace:
      CDR_RETURN_IF_ERROR(Delete(ctx));
      return Create(ctx);
    case Action::kUpdate:
      return UpdatePolicy(ctx);
    case Action::kTransition:
      if (ctx.change.operation == Operation::kRestart) return Restart(ctx);
      return InvalidArgument(std::string("unknown shadow host transition ") +
                             OperationName(ctx.change.operation));
    default:
      return InvalidArgument(std::string("a shadow host cannot be ") + ActionName(ctx.change.action) + "d in place");
  }
}

}  // namespace cdr::reconcile::internal
