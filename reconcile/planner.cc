#include "reconcile/planner.h"

#include "common/clock.h"
#include "reconcile/diff.h"
#include "reconcile/observed_state.h"
#include "reconcile/refresh.h"

namespace cdr::reconcile {
namespace {

std::vector<std::string> SpecHosts(const specs::Spec& spec) {
  std::vector<std::string> hosts;
  for (const auto& g : spec.groups) {
    for (const auto& s : g.servers) hosts.push_back(s.host);
  }
  return hosts;
}

Plan Stamp(const specs::Spec& spec, state::StateStore& store) {
  Plan plan;
  plan.state_serial = store.Serial();
  plan.spec_digest = spec.digest;
  plan.created_at = NowUnixMillis();
  return plan;
}

}  // namespace

Result<PlanResult> MakePlan(const specs::Spec& spec, state::StateStore& store, providers::Provider& provider,
                            const AgentConnector& connect) {
  PlanResult out{Stamp(spec, store), {}};
  auto records = store.Resources();
  auto observed = Refresh(provider, records, SpecHosts(spec), connect);
  if (!observed.ok()) return observed.status();
  if (connect) {
    CDR_RETURN_IF_ERROR(RecordObserved(store, *observed));
    records = store.Resources();
  }
  DiffResult diff = Diff(spec, records, *observed);
  out.plan.changes = std::move(diff.changes);
  out.plan.drifted = std::move(diff.drifted);
  out.errors = std::move(diff.errors);
  return out;
}

}  // namespace cdr::reconcile
