// Committing a report to a branch with libgit2 (no checkout, bare repositories too), for scheduled drift jobs:
// each run adds one commit to the branch, so the branch's history is the drift history.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace cdr::reconcile {

struct BranchFile {
  std::string name;  // at the root of the branch's tree
  std::string content;
};

// Commits `files` onto `branch`, keeping the tip's other files: on the branch's tip, or on origin/BRANCH's when only
// the remote-tracking branch exists or the local one is behind it (it is fast-forwarded first); an orphan branch
// when neither exists. Local and origin diverged: FailedPrecondition, nothing written. The author is "cdr" with
// the operator's user@host. Returns the new commit's id.
Result<std::string> CommitToBranch(const std::string& repository, const std::string& branch,
                                   const std::vector<BranchFile>& files, const std::string& message);

}  // namespace cdr::reconcile
