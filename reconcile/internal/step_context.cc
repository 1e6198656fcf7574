#include "reconcile/internal/step_context.h"

#include <spdlog/spdlog.h>

namespace cdr::reconcile::internal {

Status StepContext::Transition(state::ResourceRecord& record, const std::string& to, const std::string& why) {
  const std::string from = record.status;
  record.status = to;
  CDR_RETURN_IF_ERROR(store.Put(record));
  spdlog::info("{}: {} → {} ({})", record.address, from.empty() ? "absent" : from, to, why);
  return store.AddJobEvent(job_id, from, to, why);
}

state::ResourceRecord StepContext::CurrentOrNew() const {
  if (auto existing = store.Get(change.address)) return *existing;
  state::ResourceRecord r;
  r.address = change.address;
  r.kind = change.kind;
  return r;
}

}  // namespace cdr::reconcile::internal
