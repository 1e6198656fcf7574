// `cdr drift` reports: what differs between the state and what the provider observes, for people (markdown)
// and for scripts (JSON, docs/drift-format.md).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "reconcile/plan.h"

namespace cdr::reconcile {

inline constexpr int kDriftFormatVersion = 1;

std::string RenderDriftMarkdown(const Plan& refresh_plan, int resources_checked);
nlohmann::json DriftToJson(const Plan& refresh_plan, int resources_checked);

}  // namespace cdr::reconcile
