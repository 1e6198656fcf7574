#!/usr/bin/env bash
# Nightly job: compare the spec on the default branch, the state and the cloud; commit the report to a branch
# (one commit per night, so the branch history is the drift history) and fail the job only on real drift.
# With CDR_DRIFT_REMOTE set (the pipeline sets origin), the report branch is fetched from it first — with an
# explicit refspec, because a CI clone usually fetches only the default branch — and pushed back after.
# Exit: 0 no drift, 2 drift found, 1 error (also when the report could not be pushed).
set -uo pipefail
: "${CDR:=cdr}" "${CDR_REPO:=.}" "${CDR_REF:=main}" "${CDR_SPEC_PATH:=specs}" "${CDR_STATE:=.cdr/state.db}"
: "${CDR_DRIFT_BRANCH:=cdr-drift-reports}" "${CDR_DRIFT_REMOTE:=}"

if [ -n "$CDR_DRIFT_REMOTE" ]; then
  git -C "$CDR_REPO" ls-remote --exit-code --heads "$CDR_DRIFT_REMOTE" "$CDR_DRIFT_BRANCH" >/dev/null
  case $? in
    0) git -C "$CDR_REPO" fetch -q "$CDR_DRIFT_REMOTE" \
         "+refs/heads/$CDR_DRIFT_BRANCH:refs/remotes/$CDR_DRIFT_REMOTE/$CDR_DRIFT_BRANCH" || exit 1 ;;
    2) ;;  # the first night: the branch does not exist yet
    *) echo "Error: cannot reach $CDR_DRIFT_REMOTE to fetch $CDR_DRIFT_BRANCH" >&2; exit 1 ;;
  esac
fi
"$CDR" drift --git "$CDR_REPO" --ref "$CDR_REF" --path "$CDR_SPEC_PATH" --state "$CDR_STATE" \
  --markdown --write-to-branch "$CDR_DRIFT_BRANCH"
code=$?
if [ -n "$CDR_DRIFT_REMOTE" ] && [ "$code" -ne 1 ]; then
  git -C "$CDR_REPO" push -q "$CDR_DRIFT_REMOTE" "refs/heads/$CDR_DRIFT_BRANCH:refs/heads/$CDR_DRIFT_BRANCH" || exit 1
fi
exit "$code"
