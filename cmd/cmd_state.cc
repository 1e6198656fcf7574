#include <iostream>

#include "cmd/commands.h"
#include "state/state_integrity.h"

namespace cdr::cmd {

int RunStateBackup(const GlobalOptions& g, const std::string& file) {
  if (Status s = state::BackupState(g.state_path, file); !s.ok()) {
    PrintError(s.message());
    return kExitError;
  }
  std::cout << "The state " << ShownState(g) << " was backed up to " << file << ".\n";
  return kExitOk;
}

int RunStateRestore(const GlobalOptions& g, const std::string& file) {
  if (Status s = state::RestoreState(g.state_path, file); !s.ok()) {
    PrintError(s.message());
    return kExitError;
  }
  std::cout << "The state " << ShownState(g) << " was restored from " << file
            << ". Run `cdr plan` to see how the cloud differs from it.\n";
  return kExitOk;
}

}  // namespace cdr::cmd
