// The JSON form of a Plan: what `cdr plan -json` and `cdr show -json FILE` print and what a plan file holds
// (docs/plan-format.md). Terraform's plan representation where the concept is the same (format_version,
// resource_changes[].change.actions, resource_drift, prior_state, planned_values, applyable, errored), so
// policies written for `terraform show -json` read it; cdr's own fields under the key "cdr". It holds nothing
// observed live (times, byte counts): two plans of an unchanged estate are byte-identical.
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "reconcile/plan.h"

namespace cdr::reconcile {

// Major.minor, as Terraform's: readers refuse another major. "1" was cdr's own shape (changes[]), before this.
inline constexpr const char* kPlanFormatVersion = "2.0";

nlohmann::json PlanToJson(const Plan& plan);
// sha256 of what apply acts on (the resource changes' JSON), recorded in the apply history.
std::string PlanDigest(const Plan& plan);
// Refuses other major versions (naming what to do) and malformed documents, naming the field.
Result<Plan> PlanFromJson(const nlohmann::json& doc);

}  // namespace cdr::reconcile
