// A protection group is cdr's own record: it has no provider object, so one state write is the whole step.
#include "reconcile/internal/step_context.h"

namespace cdr::reconcile::internal {

Status ApplyGroupChange(StepContext& ctx) {
  const ResourceChange& c = ctx.change;
  if (c.action == Action::kDelete) {
    for (const auto& r : ctx.store.Resources()) {
      // The plan checked this too; the state may have changed since a saved plan was made.
      if (r.kind == ResourceKind::kServer && r.address.rfind(c.address + ".", 0) == 0) {
        return FailedPrecondition("cannot delete " + c.address + ": it still has protected server " + r.address);
      }
    }
    CDR_RETURN_IF_ERROR(ctx.store.AddJobEvent(ctx.job_id, "created", "", "group deleted"));
    return ctx.store.Delete(c.address);
  }
  if (c.operation == Operation::kRename && !ctx.store.Get(c.address)) {
    CDR_RETURN_IF_ERROR(ctx.store.Move(c.previous_address, c.address));
    CDR_RETURN_IF_ERROR(
        ctx.store.AddJobEvent(ctx.job_id, "", "", "renamed " + c.previous_address + " to " + c.address));
  }
  state::ResourceRecord r = ctx.CurrentOrNew();
  for (const auto& [key, value] : c.after.items()) r.attributes[key] = value;
  return ctx.Transition(r, "created", OperationName(c.operation));
}

}  // namespace cdr::reconcile::internal
