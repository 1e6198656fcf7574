#include <iostream>

#include "cmd/commands.h"
#include "common/clock.h"

namespace cdr::cmd {

int RunForceUnlock(const GlobalOptions& g, const std::string& lock_id) {
  if (!StateExistsOrSay(g)) return kExitError;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  Status s = store->ForceUnlock(lock_id);
  if (!s.ok()) {
    PrintError(s.message());
    return kExitError;
  }
  std::cout << "The state lock " << lock_id << " has been removed.\n";
  return kExitOk;
}

int RunShowLock(const GlobalOptions& g) {
  if (!StateExistsOrSay(g)) return kExitOk;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  auto current = store->CurrentLock();
  if (!current) {
    std::cout << "The state is not locked.\n";
    return kExitOk;
  }
  std::cout << "locked by " << current->owner << " (" << current->operation << ", pid " << current->pid << " on "
            << current->host << ") since " << FormatRfc3339(current->acquired_at) << ", expires "
            << FormatRfc3339(current->expires_at) << ", lock id " << current->id << "\n";
  const std::string takeover = state::StateStore::TakeoverReasonFor(*current);
  if (takeover.empty()) {
    std::cout << "  the holder is alive (or on another host and not expired): plan/apply/drift are refused until it "
                 "finishes\n";
  } else {
    std::cout << "  stale: " << takeover << "; the next plan/apply/drift takes it over\n";
  }
  return kExitOk;
}

}  // namespace cdr::cmd
