// The JSON form of a Plan: what `cdr plan --json` prints and what a plan file holds (docs/plan-format.md).
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "reconcile/plan.h"

namespace cdr::reconcile {

nlohmann::json PlanToJson(const Plan& plan);
// sha256 of what apply acts on (the changes' JSON), recorded in the apply history.
std::string PlanDigest(const Plan& plan);
// Refuses other format versions and malformed documents, naming the field.
Result<Plan> PlanFromJson(const nlohmann::json& doc);

}  // namespace cdr::reconcile
