// Saving a plan for a later `cdr apply FILE` (the plan's JSON form, written atomically).
#pragma once

#include <filesystem>

#include "common/status.h"
#include "reconcile/plan.h"

namespace cdr::reconcile {

Status SavePlanFile(const std::filesystem::path& path, const Plan& plan);
Result<Plan> LoadPlanFile(const std::filesystem::path& path);

}  // namespace cdr::reconcile
