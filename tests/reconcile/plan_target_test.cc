// -target narrows a plan to the targeted addresses and the group resources they need first.
#include "reconcile/plan_target.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reconcile/plan_render.h"

namespace cdr::reconcile {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ResourceChange PlannedChange(const std::string& address, Action action) {
  ResourceChange c;
  c.address = address;
  c.action = action;
  return c;
}

std::vector<std::string> Addresses(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& c : plan.changes) out.push_back(c.address);
  return out;
}

Plan TwoGroups() {
  Plan plan;
  plan.changes = {PlannedChange("group.web", Action::kCreate),          PlannedChange("group.web.peering", Action::kCreate),
                  PlannedChange("group.web.endpoint", Action::kCreate), PlannedChange("group.web.server.w1", Action::kCreate),
                  PlannedChange("group.web.server.w2", Action::kCreate), PlannedChange("group.db.server.d1", Action::kTransition),
                  PlannedChange("group.old", Action::kDelete)};
  return plan;
}

TEST(PlanTargetTest, AServerBringsTheGroupResourcesItNeedsAndNothingElse) {
  Plan plan = TwoGroups();
  NarrowToTargets({"group.web.server.w1"}, &plan);
  EXPECT_THAT(Addresses(plan),
              ElementsAre("group.web", "group.web.peering", "group.web.endpoint", "group.web.server.w1"));
  EXPECT_THAT(plan.targets, ElementsAre("group.web.server.w1"));
  EXPECT_THAT(RenderPlan(plan), HasSubstr("Warning: resource targeting is in effect. Only group.web.server.w1"));
}

TEST(PlanTargetTest, AGroupCoversEverythingUnderItAndTargetsAdd) {
  Plan plan = TwoGroups();
  NarrowToTargets({"group.db", "group.old"}, &plan);
  EXPECT_THAT(Addresses(plan), ElementsAre("group.db.server.d1", "group.old"));
  Plan prefix = TwoGroups();
  NarrowToTargets({"group.we"}, &prefix);  // a prefix of a name is not that name
  EXPECT_TRUE(prefix.changes.empty());
}

TEST(PlanTargetTest, NoTargetsKeepsThePlanAndBadAddressesAreRefused) {
  Plan plan = TwoGroups();
  NarrowToTargets({}, &plan);
  EXPECT_EQ(plan.changes.size(), 7u);
  EXPECT_TRUE(CheckTargets({"group.web", "group.web.server.w1"}).ok());
  for (const char* bad : {"web", "server.w1", "group.", "group.web.", "group..x", ""}) {
    Status s = CheckTargets({bad});
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_THAT(CheckTargets({"web"}).message(), HasSubstr("cdr state list"));
}

}  // namespace
}  // namespace cdr::reconcile
