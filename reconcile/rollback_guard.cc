#include "reconcile/rollback_guard.h"

#include "common/clock.h"
#include "reconcile/git_source.h"

namespace cdr::reconcile {

Status CheckNotRollback(state::StateStore& store, const std::string& repository, const std::string& commit) {
  if (commit.empty()) return Status::Ok();
  auto last = store.LastAppliedCommit();
  if (!last) return Status::Ok();
  const std::string who = " (applied " + FormatRfc3339(last->applied_at) + " by " + last->operator_name + ")";
  auto descends = IsSameOrDescendant(repository, commit, last->git_commit);
  if (!descends.ok()) {
    return FailedPrecondition("cannot tell whether commit " + commit.substr(0, 12) +
                              " descends from the last applied commit " + last->git_commit.substr(0, 12) + who +
                              ": " + descends.status().message() + "; pass --allow-rollback to apply it anyway");
  }
  if (*descends) return Status::Ok();
  return FailedPrecondition("commit " + commit.substr(0, 12) + " is not a descendant of the last applied commit " +
                            last->git_commit.substr(0, 12) + who +
                            ": applying it would roll back what was applied since; pass --allow-rollback if that "
                            "is intended");
}

}  // namespace cdr::reconcile
