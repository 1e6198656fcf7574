#include "reconcile/planner.h"

#include "common/clock.h"
#include "reconcile/diff.h"
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

Result<PlanResult> MakePlan(const specs::Spec& spec, state::StateStore& store, providers::Provider& provider) {
  PlanResult out{Stamp(spec, store), {}};
  const auto records = store.Resources();
  auto observed = Refresh(provider, records, SpecHosts(spec));
  if (!observed.ok()) return observed.status();
  DiffResult diff = Diff(spec, records, *observed);
  out.plan.changes = std::move(diff.changes);
  out.plan.drifted = std::move(diff.drifted);
  out.errors = std::move(diff.errors);
  return out;
}

}  // namespace cdr::reconcile
