#include "cmd/plan_session.h"

#include <iostream>

#include "reconcile/plan_target.h"


namespace cdr::cmd {

std::optional<PlanSession> PlanSession::Open(const GlobalOptions& g, const std::string& operation) {
  PlanSession s;
  auto loaded = LoadSpecOrReport(g);
  if (!loaded) return std::nullopt;
  s.loaded = std::move(*loaded);
  s.store = OpenStateOrReport(g);
  if (!s.store) return std::nullopt;
  s.provider = OpenProviderOrReport(s.loaded.spec);
  if (!s.provider) return std::nullopt;
  auto lock = ScopedLock::Acquire(*s.store, g, operation);
  if (!lock) return std::nullopt;
  s.lock.emplace(std::move(*lock));
  return s;
}

std::optional<reconcile::Plan> PlanSession::MakePlan(const GlobalOptions& g, const std::vector<std::string>& targets) {
  if (Status s = reconcile::CheckTargets(targets); !s.ok()) {
    PrintError(s.message());
    return std::nullopt;
  }
  auto result = reconcile::MakePlan(loaded.spec, *store, *provider, reconcile::HttpAgentConnector());
  if (!result.ok()) {
    PrintError("refresh failed: " + result.status().ToString());
    return std::nullopt;
  }
  if (!result->errors.empty()) {
    for (const auto& d : result->errors) std::cerr << "Error: " << specs::FormatDiagnostic(d) << "\n";
    std::cerr << "The plan cannot be made: " << result->errors.size() << " problem"
              << (result->errors.size() == 1 ? "" : "s") << " above.\n";
    return std::nullopt;
  }
  reconcile::Plan& plan = result->plan;
  reconcile::NarrowToTargets(targets, &plan);
  plan.git_commit = loaded.git_commit;
  plan.git_dirty = loaded.git_dirty;
  if (!loaded.git_repository.empty()) {
    plan.git_repository = loaded.git_repository;
    plan.git_ref = g.git_ref;
    plan.git_path = g.git_path;
  }
  return std::move(result->plan);
}

}  // namespace cdr::cmd
