#include <unistd.h>

#include <iostream>

#include "cmd/commands.h"
#include "cmd/plan_session.h"
#include "cmd/progress_display.h"
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

// Approval comes from a person at a terminal: `yes | cdr apply` in a script would approve any plan, a failover
// included, without anyone reading it. Scripts use -auto-approve or a saved plan.
bool Confirm() {
  if (!::isatty(STDIN_FILENO)) {
    PrintError("apply asks for approval on a terminal, and stdin is not one. Review the plan, then run "
               "`cdr apply -auto-approve`, or save it with `cdr plan -out FILE` and run `cdr apply FILE`");
    return false;
  }
  std::cout << "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n"
               "  Enter a value: "
            << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) answer.clear();
  return answer == "yes";
}

// The repository a plan's commit lives in: the one it was read from, or the one holding the spec files.
std::string RepositoryOf(const reconcile::Plan& plan, const PlanSession& s) {
  return plan.git_repository.empty() ? s.loaded.source : plan.git_repository;
}

// Where the plan's spec came from, in the words the operator used (the ref name, not the commit it resolved to).
std::string SourceOf(const reconcile::Plan& plan, const PlanSession& s) {
  if (plan.git_repository.empty()) return s.loaded.source + (plan.git_dirty ? " (uncommitted edits)" : "");
  return "git " + plan.git_repository + "@" + plan.git_ref + ":" + (plan.git_path.empty() ? "." : plan.git_path);
}

// Written before the first step, so an apply killed mid-way is in the history (unfinished) and its commit counts
// for the rollback guard: part of it may already be applied.
std::optional<int64_t> StartHistoryEntry(PlanSession& s, const reconcile::Plan& plan, bool rollback) {
  state::AppliedRecord record;
  record.serial = s.store->Serial() + 1;  // Apply bumps the serial once when it has changes to make
  record.git_commit = plan.git_commit;
  record.source = SourceOf(plan, s);
  record.plan_digest = reconcile::PlanDigest(plan);
  record.changes = static_cast<int>(plan.changes.size());
  record.rollback = rollback;
  auto id = s.store->RecordApply(record);
  if (!id.ok()) {
    PrintError("cannot write the history entry, nothing applied: " + id.status().message());
    return std::nullopt;
  }
  return *id;
}

// The rollback guard; true when the apply may go on (`rollback` tells whether it is one, on purpose).
bool PassesRollbackGuard(PlanSession& s, const reconcile::Plan& plan, bool allow, bool* rollback) {
  Status guard = reconcile::CheckNotRollback(*s.store, RepositoryOf(plan, s), plan.git_commit);
  *rollback = !guard.ok();
  if (guard.ok()) return true;
  if (!allow) {
    PrintError(guard.message());
    return false;
  }
  std::cerr << "Warning: " << guard.message() << "\n  Applying anyway (--allow-rollback).\n";
  return true;
}

// -refresh-only: what the agents report goes into the state; nothing in the estate is changed.
int ApplyRefreshOnly(PlanSession& s, const reconcile::PlanResult& made, bool auto_approve) {
  std::cout << reconcile::RenderPlan(made.plan, {StdoutIsTerminal()});
  if (made.plan.drifted.empty()) return kExitOk;
  if (!auto_approve && !Confirm()) {
    std::cout << "\nApply cancelled.\n";
    return kExitError;
  }
  if (!s.RecordObservations(made)) return kExitError;
  std::cout << "\nApply complete! Recorded what the agents report for " << made.observations.size() << " server"
            << (made.observations.size() == 1 ? "" : "s") << "; nothing else was changed.\n";
  return kExitOk;
}

std::optional<reconcile::Plan> LoadSavedPlan(const ApplyCommandOptions& o, reconcile::PlanMode mode) {
  if (!o.targets.empty() || mode != reconcile::PlanMode::kNormal) {
    PrintError("-target, -refresh=false and -refresh-only cannot change a saved plan: " + o.plan_file +
               " is carried out exactly as it was made. Make the plan with them: `cdr plan -target=… -out FILE`");
    return std::nullopt;
  }
  auto loaded = reconcile::LoadPlanFile(o.plan_file);
  if (!loaded.ok()) {
    PrintError(loaded.status().message());
    return std::nullopt;
  }
  if (!loaded->errors.empty()) {
    PrintError("plan " + o.plan_file + " has errors and cannot be applied; fix the spec and run `cdr plan` again");
    return std::nullopt;
  }
  return std::move(*loaded);
}

}  // namespace

int RunApply(const GlobalOptions& g, const ApplyCommandOptions& o) {
  const auto mode = PlanModeFromFlags(o.refresh, o.refresh_only);
  if (!mode) return kExitError;
  std::optional<reconcile::Plan> plan;
  if (!o.plan_file.empty()) {
    plan = LoadSavedPlan(o, *mode);
    if (!plan) return kExitError;
  }
  auto session =
      PlanSession::Open(g, state::LockOperation::kApply, StateAccess::kWrite, plan ? &*plan : nullptr);
  if (!session) return kExitError;
  bool rollback = false;
  if (plan) {
    if (!CheckNotStale(*plan, *session, o.plan_file)) return kExitError;
    if (!plan->HasChanges()) {
      // Nothing is applied, so nothing is recorded: the history lists what changed the state.
      std::cout << "No changes in " << o.plan_file << ": nothing to apply.\n";
      return kExitOk;
    }
    if (!PassesRollbackGuard(*session, *plan, o.allow_rollback, &rollback)) return kExitError;
    // The steps start from the servers' real states, as a plan made now would.
    auto refreshed = session->MakePlan(g, {{}, reconcile::PlanMode::kRefreshOnly});
    if (!refreshed || !session->RecordObservations(*refreshed)) return kExitError;
  } else {
    auto made = session->MakePlan(g, {o.targets, *mode});
    if (!made || !made->plan.errors.empty()) return kExitError;
    if (*mode == reconcile::PlanMode::kRefreshOnly) return ApplyRefreshOnly(*session, *made, o.auto_approve);
    plan = made->plan;
    std::cout << reconcile::RenderPlan(*plan, {StdoutIsTerminal()});
    // Apply writes the refreshed state even when there is nothing else to do, as Terraform's does.
    if (!plan->HasChanges()) return session->RecordObservations(*made) ? kExitOk : kExitError;
    // Before asking: a rollback is refused without a question.
    if (!PassesRollbackGuard(*session, *plan, o.allow_rollback, &rollback)) return kExitError;
    if (!o.auto_approve && !Confirm()) {
      std::cout << "\nApply cancelled.\n";
      return kExitError;
    }
    std::cout << "\n";
    // The steps start from the servers' real states.
    if (!session->RecordObservations(*made)) return kExitError;
  }
  auto history_id = StartHistoryEntry(*session, *plan, rollback);
  if (!history_id) return kExitError;
  reconcile::ApplyOptions options;
  options.lock_id = session->lock->id();
  options.lock_ttl_millis = kLockTtlMillis;
  options.parallelism = o.parallelism;
  options.connect = reconcile::HttpAgentConnector();
  options.wait = !o.no_wait;
  options.wait_timeout = std::chrono::seconds(o.wait_timeout_seconds);
  auto display = std::make_shared<ProgressDisplay>(::isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr);
  options.report = [display](const std::string& line) { display->Line(line); };
  options.progress = [display](const reconcile::ReplicationProgress& p) { display->Update(p); };
  reconcile::ApplyResult result = reconcile::Apply(*plan, *session->store, *session->provider, options);
  if (Status finished = session->store->FinishApply(*history_id, result.Failed()); !finished.ok()) {
    PrintError("the history entry of this apply was not closed: " + finished.message());
  }
  const reconcile::PlanSummary s = reconcile::Summarize(*plan);
  if (result.Failed() > 0) {
    std::cout << "\nApply finished with errors: " << result.Failed() << " of " << result.steps.size()
              << " steps failed or were skipped:\n";
    for (const auto& step : result.steps) {
      if (!step.ok || step.skipped)
        std::cout << "  " << step.address << " (" << reconcile::OperationName(step.operation)
                  << "): " << step.error << "\n";
    }
    std::cout << "The state records how far each got; fix the cause and run `cdr apply` again.\n";
    return kExitError;
  }
  std::cout << "\nApply complete! Resources: " << s.add << " added, " << s.change << " changed, " << s.destroy
            << " destroyed, " << s.transition << " state transition" << (s.transition == 1 ? "" : "s") << ".\n";
  return kExitOk;
}

}  // namespace cdr::cmd
