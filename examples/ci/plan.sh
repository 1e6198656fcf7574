#!/usr/bin/env bash
# Merge-request job: plan the spec exactly as committed at CDR_REF (no checkout needed), save the plan for the
# apply job, and write a markdown summary for the merge-request comment.
# Exit: 0 no changes, 2 changes (both fine for a merge request), 1 error (invalid spec, rule broken, locked).
set -uo pipefail
: "${CDR:=cdr}" "${CDR_REPO:=.}" "${CDR_REF:=HEAD}" "${CDR_SPEC_PATH:=specs}" "${CDR_STATE:=.cdr/state.db}"
: "${CDR_PLAN_FILE:=cdr.plan}"
git_args=(--git "$CDR_REPO" --ref "$CDR_REF" --path "$CDR_SPEC_PATH" --state "$CDR_STATE")

"$CDR" plan "${git_args[@]}" -out="$CDR_PLAN_FILE" -detailed-exitcode > plan.txt
code=$?
cat plan.txt
if [ "$code" -eq 1 ]; then
  echo "cdr plan failed" >&2
  exit 1
fi
{
  echo "### cdr plan for \`$CDR_REF\`"
  echo
  echo '```'
  grep -E '^(Plan:|No changes)' plan.txt
  echo '```'
} > plan-summary.md
exit "$code"
