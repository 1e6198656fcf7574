// VPC peering and VPC endpoint: provider objects made with a client token stored in the state before the call,
// so a create interrupted after the provider made the object finds that object again instead of a second one.
#include "common/random_hex.h"
#include "providers/types/endpoint.h"
#include "providers/types/peering.h"
#include "reconcile/address.h"
#include "reconcile/internal/step_context.h"
#include "state/record_status.h"

namespace cdr::reconcile::internal {
namespace {

Result<std::string> CreateInProvider(StepContext& ctx, const std::string& token, const nlohmann::json& a) {
  const std::string name = "cdr-" + GroupOf(ctx.change.address);
  if (ctx.change.kind == ResourceKind::kPeering) {
    auto p = providers::types::CreatePeering(
        ctx.provider,
        {token, name, a.value("vpc", ""), a.value("production_zone", ""), a.value("dr_zone", "")});
    if (!p.ok()) return p.status();
    return p->id;
  }
  auto e =
      providers::types::CreateEndpoint(ctx.provider, {token, name, a.value("vpc", ""), a.value("zone", "")});
  if (!e.ok()) return e.status();
  return e->id;
}

Status DeleteInProvider(StepContext& ctx, const std::string& id) {
  return ctx.change.kind == ResourceKind::kPeering ? providers::types::DeletePeering(ctx.provider, id)
                                                   : providers::types::DeleteEndpoint(ctx.provider, id);
}

Status Delete(StepContext& ctx) {
  auto existing = ctx.store.Get(ctx.change.address);
  if (!existing) return Status::Ok();
  state::ResourceRecord r = *existing;
  const std::string token = r.attributes.value("client_token", "");
  if (r.provider_id.empty() && !token.empty()) {
    // An interrupted create may have made the object without us learning its id. The same token finds it (or
    // makes it, harmlessly), so nothing is left behind in the cloud.
    auto id = CreateInProvider(ctx, token, r.attributes);
    if (!id.ok()) return id.status();
    r.provider_id = *id;
  }
  CDR_RETURN_IF_ERROR(ctx.Transition(r, "deleting", "delete " + r.provider_id));
  if (!r.provider_id.empty()) CDR_RETURN_IF_ERROR(DeleteInProvider(ctx, r.provider_id));
  CDR_RETURN_IF_ERROR(ctx.store.AddJobEvent(ctx.job_id, "deleting", "", "deleted " + r.provider_id));
  return ctx.store.Delete(r.address);
}

Status Create(StepContext& ctx) {
  state::ResourceRecord r = ctx.CurrentOrNew();
  // A token kept from an interrupted create is reused: that is what makes the retry idempotent.
  std::string token = state::RecordStatusOf(r) == state::RecordStatus::kCreating
                          ? r.attributes.value("client_token", "")
                          : "";
  if (token.empty()) token = RandomHex(16);
  r.attributes = ctx.change.after;
  r.attributes["client_token"] = token;
  r.provider_id.clear();
  CDR_RETURN_IF_ERROR(ctx.Transition(r, "creating", "create with client token " + token));
  auto id = CreateInProvider(ctx, token, ctx.change.after);
  if (!id.ok()) return id.status();
  r.provider_id = *id;
  r.attributes["id"] = *id;
  r.attributes["name"] = "cdr-" + GroupOf(r.address);
  return ctx.Transition(r, "created", "provider id " + *id);
}

}  // namespace

Status ApplyNetworkChange(StepContext& ctx) {
  switch (ctx.change.action) {
    case Action::kCreate:
      return Create(ctx);
    case Action::kDelete:
      return Delete(ctx);
    case Action::kReplace:
      CDR_RETURN_IF_ERROR(Delete(ctx));
      return Create(ctx);
    default:
      return InvalidArgument(std::string("a ") + ResourceKindName(ctx.change.kind) + " cannot be " +
                             ActionName(ctx.change.action) + "d in place");
  }
}

}  // namespace cdr::reconcile::internal
