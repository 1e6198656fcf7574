#include "reconcile/planner.h"

#include "common/clock.h"
#include "providers/types/agent_version.h"
#include "reconcile/agent_version_drift.h"
#include "reconcile/diff.h"
#include "reconcile/group_point.h"
#include "reconcile/plan_target.h"
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

bool NamesAgentVersion(const specs::Spec& spec) {
  for (const auto& g : spec.groups) {
    for (const auto& s : g.servers) {
      if (s.agent_version) return true;
    }
  }
  return false;
}

Plan Stamp(const specs::Spec& spec, state::StateStore& store, const PlanRequest& request) {
  Plan plan;
  plan.state_serial = store.Serial();
  plan.spec_digest = spec.digest;
  plan.created_at = NowUnixMillis();
  plan.mode = request.mode;
  plan.git_commit = request.origin.git_commit;
  plan.git_dirty = request.origin.git_dirty;
  plan.git_repository = request.origin.git_repository;
  plan.git_ref = request.origin.git_ref;
  plan.git_path = request.origin.git_path;
  return plan;
}

// -refresh=false: only the hosts' facts, which the plan-time rules check; nothing is asked of the resources.
Result<Observed> HostFactsOnly(providers::ResourceProvider& provider,
                               const std::vector<std::string>& spec_hosts) {
  return Refresh(provider, {}, spec_hosts);
}

// A server whose agent moved by itself (a sync finished, an outage became an error) is what changed outside cdr.
void AddObservedMoves(const std::vector<ObservedChange>& observations, std::vector<DriftedResource>* drifted) {
  for (const auto& o : observations) {
    if (o.from == o.record.status) continue;
    drifted->push_back({o.record.address, o.record.kind, "state_changed",
                        "the agent reports " + o.record.status + "; the state records " + o.from +
                            " (cdr apply -refresh-only records it)"});
  }
}

}  // namespace

Result<PlanResult> MakePlan(const specs::Spec& spec, state::StateStore& store,
                            providers::ResourceProvider& provider, const PlanRequest& request) {
  PlanResult out{Stamp(spec, store, request), {}, store.Resources(), {}};
  auto observed = request.mode == PlanMode::kNoRefresh
                      ? HostFactsOnly(provider, SpecHosts(spec))
                      : Refresh(provider, out.refreshed, SpecHosts(spec), request.connect);
  if (!observed.ok()) return observed.status();
  // Without an agent_version the provider's default release is wanted (agent_version_drift.h), which matters only
  // against agents that answered (a refresh); a provider that cannot say leaves it unknown, which only a spec
  // naming a version cannot do without.
  if (NamesAgentVersion(spec) || request.mode != PlanMode::kNoRefresh) {
    auto versions = providers::types::ListAgentVersions(provider);
    if (versions.ok()) {
      observed->agent_versions = std::move(*versions);
    } else if (NamesAgentVersion(spec)) {
      return versions.status();
    }
  }
  ObserveGroupPoints(provider, spec, out.refreshed, &*observed);
  out.observations = MergeObserved(out.refreshed, *observed);
  for (const auto& o : out.observations) {
    for (auto& r : out.refreshed) {
      if (r.address == o.record.address) r = o.record;
    }
  }
  for (const auto& r : out.refreshed) {
    out.plan.prior.push_back({r.address, r.kind, r.status, r.provider_id, WithoutObservations(r.attributes)});
  }
  DiffResult diff = Diff(spec, out.refreshed, *observed);
  out.plan.drifted = std::move(diff.drifted);
  if (request.mode == PlanMode::kRefreshOnly) {
    AddObservedMoves(out.observations, &out.plan.drifted);
    return out;
  }
  out.plan.changes = std::move(diff.changes);
  AddAgentVersionDrift(spec, *observed, out.refreshed, out.plan.changes, &out.plan.drifted);
  NarrowToTargets(request.targets, &out.plan);
  // Observations live outside the changes: the same estate plans the same bytes, whenever it is asked.
  for (auto& c : out.plan.changes) {
    c.before = WithoutObservations(c.before);
    c.after = WithoutObservations(c.after);
  }
  out.errors = std::move(diff.errors);
  for (const auto& e : out.errors) out.plan.errors.push_back(specs::FormatDiagnostic(e));
  return out;
}

}  // namespace cdr::reconcile
