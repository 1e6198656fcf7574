#include "reconcile/plan_file.h"

#include "common/json_file.h"
#include "reconcile/plan_json.h"

namespace cdr::reconcile {

Status SavePlanFile(const std::filesystem::path& path, const Plan& plan) {
  return WriteJsonFileAtomically(path, PlanToJson(plan));
}

Result<Plan> LoadPlanFile(const std::filesystem::path& path) {
  auto doc = ReadJsonFile(path);
  if (!doc.ok()) return doc.status();
  auto plan = PlanFromJson(*doc);
  if (!plan.ok()) return InvalidArgument(path.string() + ": " + plan.status().message());
  return plan;
}

}  // namespace cdr::reconcile
