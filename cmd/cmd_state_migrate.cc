// `cdr state migrate`: the estate copied from one state location to another (SQLite ⇄ PostgreSQL), with both
// locked for the copy so no apply changes either meanwhile.
#include <iostream>

#include "cmd/commands.h"
#include "state/state_location.h"
#include "state/state_migrate.h"

namespace cdr::cmd {

int RunStateMigrate(const GlobalOptions& g, const StateMigrateOptions& o) {
  GlobalOptions from = g;
  if (!o.from.empty()) from.state_path = o.from;
  GlobalOptions to = g;
  to.state_path = o.to;
  auto source = OpenStateOrReport(from);
  auto dest = source ? OpenStateOrReport(to) : nullptr;
  if (!dest) return kExitError;
  auto source_lock = ScopedLock::Acquire(*source, from, state::LockOperation::kMigrate);
  if (!source_lock) return kExitError;
  auto dest_lock = ScopedLock::Acquire(*dest, to, state::LockOperation::kMigrate);
  if (!dest_lock) return kExitError;
  auto report = state::MigrateState(from.state_path, to.state_path, {.replace_existing = o.force});
  if (!report.ok()) {
    PrintError(report.status().message());
    return kExitError;
  }
  std::cout << "Copied the state " << ShownState(from) << " to " << ShownState(to) << " (serial "
            << report->serial << "):";
  for (const auto& [table, rows] : report->rows) std::cout << " " << table << " " << rows << ";";
  std::cout << "\nBoth were compared after the copy and hold the same estate. Use the copy with --state "
            << ShownState(to) << ".\n";
  return kExitOk;
}

}  // namespace cdr::cmd
