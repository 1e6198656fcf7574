#!/usr/bin/env bash
# Nightly job: compare the spec on the default branch, the state and the cloud; commit the report to a branch
# (one commit per night, so the branch history is the drift history) and fail the job only on real drift.
# Exit: 0 no drift, 2 drift found, 1 error.
set -uo pipefail
: "${CDR:=cdr}" "${CDR_REPO:=.}" "${CDR_REF:=main}" "${CDR_SPEC_PATH:=specs}" "${CDR_STATE:=.cdr/state.db}"
: "${CDR_DRIFT_BRANCH:=cdr-drift-reports}"
"$CDR" drift --git "$CDR_REPO" --ref "$CDR_REF" --path "$CDR_SPEC_PATH" --state "$CDR_STATE" \
  --markdown --write-to-branch "$CDR_DRIFT_BRANCH"
