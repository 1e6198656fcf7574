#include <iostream>

#include "cmd/commands.h"
#include "cmd/plan_session.h"
#include "common/clock.h"
#include "reconcile/drift_report.h"
#include "reconcile/report_branch.h"

namespace cdr::cmd {
namespace {

// The repository a drift report is committed to: --git's, else the one holding the spec files.
std::string ReportRepository(const GlobalOptions& g, const PlanSession& s) {
  return s.loaded.git_repository.empty() ? SpecPath(g).string() : s.loaded.git_repository;
}

bool WriteToBranch(const GlobalOptions& g, const PlanSession& s, const reconcile::DriftReport& report,
                   const std::string& branch) {
  const std::string message = "cdr drift " + FormatRfc3339(report.checked_at) + ": " +
                              std::to_string(report.items.size()) + " item(s), state serial " +
                              std::to_string(report.state_serial) +
                              (report.spec_commit.empty() ? "" : ", spec " + report.spec_commit.substr(0, 12));
  auto commit = reconcile::CommitToBranch(ReportRepository(g, s), branch,
                                          {{"drift-report.md", reconcile::RenderDriftMarkdown(report)},
                                           {"drift-report.json", reconcile::DriftToJson(report).dump(2) + "\n"}},
                                          message);
  if (!commit.ok()) {
    PrintError("cannot write the report to branch " + branch + ": " + commit.status().message());
    return false;
  }
  std::cerr << "Drift report committed to branch " << branch << " as " << commit->substr(0, 12) << ".\n";
  return true;
}

}  // namespace

int RunDrift(const GlobalOptions& g, const DriftOptions& o) {
  auto session = PlanSession::Open(g, state::LockOperation::kDrift, StateAccess::kRead);
  if (!session) return kExitError;
  auto report = reconcile::MakeDriftReport({session->loaded.spec, session->loaded.source, session->loaded.git_commit},
                                           *session->store, *session->provider, reconcile::HttpAgentConnector());
  if (!report.ok()) {
    PrintError("refresh failed: " + report.status().ToString());
    return kExitError;
  }
  if (o.json) {
    std::cout << reconcile::DriftToJson(*report).dump(2) << "\n";
  } else if (o.markdown) {
    std::cout << reconcile::RenderDriftMarkdown(*report);
  } else {
    std::cout << reconcile::RenderDriftText(*report);
  }
  if (!o.write_to_branch.empty() && !WriteToBranch(g, *session, *report, o.write_to_branch)) return kExitError;
  return report->items.empty() ? kExitOk : kExitChanges;
}

}  // namespace cdr::cmd
