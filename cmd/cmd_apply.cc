#include <iostream>

#include "cmd/commands.h"
#include "cmd/plan_session.h"
#include "reconcile/apply.h"
#include "reconcile/plan_file.h"
#include "reconcile/plan_json.h"
#include "reconcile/plan_render.h"
#include "reconcile/rollback_guard.h"

namespace cdr::cmd {
namespace {

// A saved plan is applied only to the spec and state it was made from.
bool CheckNotStale(const reconcile::Plan& plan, PlanSession& s, const std::string& file) {
  if (plan.spec_digest != s.loaded.spec.digest) {
    PrintError("plan " + file + " is stale: the spec changed since the plan was made (digest " +
               plan.spec_digest.substr(0, 12) + " → " + s.loaded.spec.digest.substr(0, 12) + "); run `cdr plan` again");
    return false;
  }
  const int64_t serial = s.store->Serial();
  if (plan.state_serial != serial) {
    PrintError("plan " + file + " is stale: the state changed since the plan was made (serial " +
               std::to_string(plan.state_serial) + " → " + std::to_string(serial) + "); run `cdr plan` again");
    return false;
  }
  return true;
}

bool Confirm() {
  std::cout << "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n"
               "  Enter a value: "
            << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) answer.clear();
  return answer == "yes";
}

// The repository a plan's commit lives in: the one it was read from, or the one holding the spec files.
std::string RepositoryOf(const reconcile::Plan& plan, const GlobalOptions& g) {
  return plan.git_repository.empty() ? SpecPath(g).string() : plan.git_repository;
}

void RecordInHistory(PlanSession& s, const reconcile::Plan& plan, const reconcile::ApplyResult& result,
                     bool rollback) {
  state::AppliedRecord record;
  record.serial = s.store->Serial();
  record.git_commit = plan.git_commit;
  record.source = s.loaded.source + (plan.git_dirty ? " (uncommitted edits)" : "");
  record.plan_digest = reconcile::PlanDigest(plan);
  record.changes = static_cast<int>(plan.changes.size());
  record.failed = result.Failed();
  record.rollback = rollback;
  auto recorded = s.store->RecordApply(record);
  if (!recorded.ok()) PrintError("the apply is done but its history entry was not written: " + recorded.status().message());
}

}  // namespace

int RunApply(const GlobalOptions& global, const ApplyCommandOptions& o) {
  GlobalOptions g = global;
  std::optional<reconcile::Plan> plan;
  if (!o.plan_file.empty()) {
    auto loaded = reconcile::LoadPlanFile(o.plan_file);
    if (!loaded.ok()) {
      PrintError(loaded.status().message());
      return kExitError;
    }
    plan = std::move(*loaded);
    if (!plan->git_repository.empty()) {
      // A plan made from git is checked against the very commit it was made from, wherever its ref is now.
      g.git_repository = plan->git_repository;
      g.git_ref = plan->git_commit;
      g.git_path = plan->git_path;
    }
  }
  auto session = PlanSession::Open(g, "apply");
  if (!session) return kExitError;
  if (plan) {
    if (!CheckNotStale(*plan, *session, o.plan_file)) return kExitError;
    if (!plan->HasChanges()) {
      // Nothing is applied, so nothing is recorded: the history lists what changed the state.
      std::cout << "No changes in " << o.plan_file << ": nothing to apply.\n";
      return kExitOk;
    }
  } else {
    plan = session->MakePlan(g);
    if (!plan) return kExitError;
    std::cout << reconcile::RenderPlan(*plan, {StdoutIsTerminal()});
    if (!plan->HasChanges()) return kExitOk;
    if (!o.auto_approve && !Confirm()) {
      std::cout << "\nApply cancelled.\n";
      return kExitError;
    }
    std::cout << "\n";
  }
  bool rollback = false;
  if (Status guard = reconcile::CheckNotRollback(*session->store, RepositoryOf(*plan, g), plan->git_commit);
      !guard.ok()) {
    if (!o.allow_rollback) {
      PrintError(guard.message());
      return kExitError;
    }
    rollback = true;
    std::cerr << "Warning: " << guard.message() << "\n  Applying anyway (--allow-rollback).\n";
  }
  reconcile::ApplyOptions options;
  options.lock_id = session->lock->id();
  options.lock_ttl_millis = kLockTtlMillis;
  options.report = [](const std::string& line) { std::cout << line << "\n" << std::flush; };
  reconcile::ApplyResult result = reconcile::Apply(*plan, *session->store, *session->provider, options);
  RecordInHistory(*session, *plan, result, rollback);
  const reconcile::PlanSummary s = reconcile::Summarize(*plan);
  if (result.Failed() > 0) {
    std::cout << "\nApply finished with errors: " << result.Failed() << " of " << result.steps.size()
              << " steps failed or were skipped. The state records how far each got; fix the cause and run "
                 "`cdr apply` again.\n";
    return kExitError;
  }
  std::cout << "\nApply complete! Resources: " << s.add << " added, " << s.change << " changed, " << s.destroy
            << " destroyed, " << s.transition << " state transition" << (s.transition == 1 ? "" : "s") << ".\n";
  return kExitOk;
}

}  // namespace cdr::cmd
