// GitOps rollback guard: a plan made from a commit that does not descend from the last applied commit would
// undo what was applied since (a re-run of an old CI pipeline, a plan from a stale branch). It is refused unless
// the operator says it is meant (--allow-rollback).
#pragma once

#include <string>

#include "common/status.h"
#include "state/state_store.h"

namespace cdr::reconcile {

// Ok when nothing was applied from git yet, when `commit` is empty, or when it is (a descendant of) the last
// applied commit. Otherwise kFailedPrecondition naming both commits and who applied the last one.
Status CheckNotRollback(state::StateStore& store, const std::string& repository, const std::string& commit);

}  // namespace cdr::reconcile
