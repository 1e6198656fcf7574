#include "cmd/plan_session.h"

#include <iostream>

#include "reconcile/plan_target.h"

namespace cdr::cmd {

std::optional<reconcile::PlanMode> PlanModeFromFlags(bool refresh, bool refresh_only) {
  if (refresh_only && !refresh) {
    PrintError("-refresh-only and -refresh=false cannot be used together: a refresh-only plan without a refresh "
               "would have nothing to do. Drop one of them");
    return std::nullopt;
  }
  if (refresh_only) return reconcile::PlanMode::kRefreshOnly;
  return refresh ? reconcile::PlanMode::kNormal : reconcile::PlanMode::kNoRefresh;
}

std::optional<PlanSession> PlanSession::Open(const GlobalOptions& g, state::LockOperation operation,
                                             StateAccess access, const reconcile::Plan* saved) {
  PlanSession s;
  auto loaded = saved && !saved->git_repository.empty()
                    ? LoadSpecFromGitOrReport({saved->git_repository, saved->git_commit, saved->git_path})
                    : LoadSpecOrReport(g);
  if (!loaded) return std::nullopt;
  s.loaded = std::move(*loaded);
  s.store = access == StateAccess::kRead ? OpenStateForReadingOrReport(g) : OpenStateOrReport(g);
  if (!s.store) return std::nullopt;
  s.provider = OpenProviderOrReport(s.loaded.spec);
  if (!s.provider) return std::nullopt;
  if (access == StateAccess::kRead) {
    if (!WaitUntilUnlocked(*s.store, g)) return std::nullopt;
    return s;
  }
  auto lock = ScopedLock::Acquire(*s.store, g, operation);
  if (!lock) return std::nullopt;
  s.lock.emplace(std::move(*lock));
  return s;
}

std::optional<reconcile::PlanResult> PlanSession::MakePlan(const GlobalOptions& g, const PlanFlags& flags) {
  if (Status s = reconcile::CheckTargets(flags.targets); !s.ok()) {
    PrintError(s.message());
    return std::nullopt;
  }
  reconcile::PlanRequest request{reconcile::HttpAgentConnector(), flags.mode, flags.targets,
                                 {loaded.git_commit, loaded.git_dirty, "", "", ""}};
  if (!loaded.git_repository.empty()) {
    request.origin.git_repository = loaded.git_repository;
    request.origin.git_ref = g.git_ref;
    request.origin.git_path = g.git_path;
  }
  auto result = reconcile::MakePlan(loaded.spec, *store, *provider, request);
  if (!result.ok()) {
    PrintError("refresh failed: " + result.status().ToString());
    return std::nullopt;
  }
  if (!result->errors.empty()) {
    for (const auto& d : result->errors) std::cerr << "Error: " << specs::FormatDiagnostic(d) << "\n";
    std::cerr << "The plan cannot be made: " << result->errors.size() << " problem"
              << (result->errors.size() == 1 ? "" : "s") << " above.\n";
  }
  return std::move(*result);
}

bool PlanSession::RecordObservations(const reconcile::PlanResult& made) {
  if (Status s = reconcile::RecordObserved(*store, made.observations); !s.ok()) {
    PrintError("cannot record what the agents report: " + s.message());
    return false;
  }
  return true;
}

}  // namespace cdr::cmd
