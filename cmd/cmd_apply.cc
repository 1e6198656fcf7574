#include <iostream>

#include "cmd/commands.h"
#include "cmd/plan_session.h"
#include "reconcile/apply.h"
#include "reconcile/plan_file.h"
#include "reconcile/plan_render.h"

namespace cdr::cmd {
namespace {

// A saved plan is applied only to the spec and state it was made from.
bool CheckNotStale(const reconcile::Plan& plan, PlanSession& s, const std::string& file) {
  if (plan.spec_digest != s.spec.digest) {
    PrintError("plan " + file + " is stale: the spec changed since the plan was made (digest " +
               plan.spec_digest.substr(0, 12) + " → " + s.spec.digest.substr(0, 12) + "); run `cdr plan` again");
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

}  // namespace

int RunApply(const GlobalOptions& g, const ApplyCommandOptions& o) {
  auto session = PlanSession::Open(g, "apply");
  if (!session) return kExitError;
  std::optional<reconcile::Plan> plan;
  if (!o.plan_file.empty()) {
    auto loaded = reconcile::LoadPlanFile(o.plan_file);
    if (!loaded.ok()) {
      PrintError(loaded.status().message());
      return kExitError;
    }
    if (!CheckNotStale(*loaded, *session, o.plan_file)) return kExitError;
    plan = std::move(*loaded);
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
  reconcile::ApplyOptions options;
  options.lock_id = session->lock->id();
  options.report = [](const std::string& line) { std::cout << line << "\n" << std::flush; };
  reconcile::ApplyResult result = reconcile::Apply(*plan, *session->store, *session->provider, options);
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
