#include "cmd/plan_session.h"

#include <iostream>

#include "reconcile/git_info.h"

namespace cdr::cmd {

std::optional<PlanSession> PlanSession::Open(const GlobalOptions& g, const std::string& operation) {
  PlanSession s;
  auto spec = LoadSpecOrReport(g);
  if (!spec) return std::nullopt;
  s.spec = std::move(*spec);
  s.store = OpenStateOrReport(g);
  if (!s.store) return std::nullopt;
  s.provider = OpenProviderOrReport(s.spec);
  if (!s.provider) return std::nullopt;
  auto lock = ScopedLock::Acquire(*s.store, operation);
  if (!lock) return std::nullopt;
  s.lock.emplace(std::move(*lock));
  return s;
}

std::optional<reconcile::Plan> PlanSession::MakePlan(const GlobalOptions& g) {
  auto result = reconcile::MakePlan(spec, *store, *provider);
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
  reconcile::GitInfo git = reconcile::DescribeGitHead(SpecPath(g));
  result->plan.git_commit = git.commit;
  result->plan.git_dirty = git.dirty;
  return std::move(result->plan);
}

}  // namespace cdr::cmd
