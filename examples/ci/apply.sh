#!/usr/bin/env bash
# Main-branch job: apply the plan the plan job saved for this very commit. cdr refuses it if the state changed
# since (another apply got there first: re-run the pipeline) and records the commit, the plan digest and the
# operator in the history. A commit that does not descend from the last applied one is refused (no silent
# rollback by an old pipeline); set CDR_ALLOW_ROLLBACK=1 to apply it on purpose.
set -euo pipefail
: "${CDR:=cdr}" "${CDR_STATE:=.cdr/state.db}" "${CDR_PLAN_FILE:=cdr.plan}"
extra=()
[ "${CDR_ALLOW_ROLLBACK:-0}" = "1" ] && extra+=(--allow-rollback)
"$CDR" apply --state "$CDR_STATE" "${extra[@]}" "$CDR_PLAN_FILE"
"$CDR" history --state "$CDR_STATE" --limit 5
