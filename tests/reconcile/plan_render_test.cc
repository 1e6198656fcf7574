// The plan as people read it: Terraform-like blocks, replace markers, summary line, drift section.
#include "reconcile/plan_render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile {
namespace {

using test_util::GroupToml;
using test_util::ServerToml;
using ::testing::HasSubstr;
using ::testing::Not;

class PlanRenderTest : public test_util::ReconcileTest {};

TEST_F(PlanRenderTest, FirstPlanShowsCreatesAndTheSummary) {
  const std::string text = RenderPlan(CleanPlanFor(test_util::WebSpec()));
  EXPECT_THAT(text, HasSubstr("cdr will perform the following actions:"));
  EXPECT_THAT(text, HasSubstr("  # group.web will be created\n"));
  EXPECT_THAT(text, HasSubstr("  + group \"group.web\" {\n"));
  EXPECT_THAT(text, HasSubstr("  + peering \"group.web.peering\" {\n"));
  EXPECT_THAT(text,
              HasSubstr("  # group.web.server.web-1 will be registered (agent install, then initialized)\n"));
  EXPECT_THAT(text, HasSubstr("      + host" + std::string(11, ' ') + " = \"host-1\"\n"));
  EXPECT_THAT(text, HasSubstr("      + vpc" + std::string(12, ' ') + " = \"vpc-web\"\n"));
  EXPECT_THAT(text, Not(HasSubstr("\033[")));
  const std::string summary = "Plan: 5 to add, 0 to change, 0 to destroy, 0 state transitions.";
  EXPECT_EQ(RenderSummaryLine(CleanPlanFor(test_util::WebSpec())), summary);
  EXPECT_TRUE(text.size() > summary.size() && text.substr(text.size() - summary.size() - 1) == summary + "\n")
      << text;
}

TEST_F(PlanRenderTest, ReplaceShowsTheForcingKey) {
  Converge(test_util::WebSpec());
  Plan plan = CleanPlanFor(GroupToml("web", ServerToml("web-1", "host-3") + ServerToml("web-2", "host-2")));
  const std::string text = RenderPlan(plan);
  EXPECT_THAT(text, HasSubstr("  # group.web.server.web-1 must be re-registered on another host\n"));
  EXPECT_THAT(text, HasSubstr("  -/+ server \"group.web.server.web-1\" {\n"));
  EXPECT_THAT(text, HasSubstr("~ host" + std::string(11, ' ') +
                              " = \"host-1\" -> \"host-3\" # forces replacement\n"));
  EXPECT_THAT(text, HasSubstr("Plan: 1 to add, 0 to change, 1 to destroy, 0 state transitions.\n"));
}

TEST_F(PlanRenderTest, UpdateShowsOnlyChangedKeysWithoutReplacementMarker) {
  Converge(test_util::WebSpec());
  const std::string text = RenderPlan(CleanPlanFor(test_util::WebSpec("rpo_alert_seconds = 90\n")));
  EXPECT_THAT(text, HasSubstr("  ~ group \"group.web\" {\n"));
  EXPECT_THAT(text, HasSubstr("~ rpo_alert_seconds = 30 -> 90\n"));
  EXPECT_THAT(text, Not(HasSubstr("forces replacement")));
  EXPECT_THAT(text, Not(HasSubstr("production_zone")));
  EXPECT_THAT(text, HasSubstr("Plan: 0 to add, 1 to change, 0 to destroy, 0 state transitions.\n"));
}

TEST_F(PlanRenderTest, DeregisterTransitionAndRenameHeadlines) {
  Plan plan;
  plan.changes = {
      {"group.b",
       ResourceKind::kGroup,
       Action::kUpdate,
       Operation::kRename,
       "group.a",
       {{"name", "a"}},
       {{"name", "b"}},
       {},
       "renamed"},
      {"group.b.server.x",
       ResourceKind::kServer,
       Action::kDelete,
       Operation::kDeregister,
       "",
       {{"host", "h"}},
       nullptr,
       {},
       ""},
      {"group.b.server.y",
       ResourceKind::kServer,
       Action::kTransition,
       Operation::kRegister,
       "",
       {{"host", "h2"}},
       {{"host", "h2"}},
       {},
       "the agent install failed before (boom); trying again"},
  };
  const std::string text = RenderPlan(plan);
  EXPECT_THAT(text, HasSubstr("  # group.b will be renamed from group.a\n"));
  EXPECT_THAT(text, HasSubstr("~ name = \"a\" -> \"b\"\n"));
  EXPECT_THAT(text, HasSubstr("  # group.b.server.x will be deregistered (the host stays)\n"));
  EXPECT_THAT(text, HasSubstr("  - server \"group.b.server.x\" {\n      - host = \"h\"\n"));
  EXPECT_THAT(text, HasSubstr("  # group.b.server.y will be registered again\n"));
  EXPECT_THAT(text, HasSubstr("  # (the agent install failed before (boom); trying again)\n"));
  EXPECT_THAT(text, HasSubstr("  > server \"group.b.server.y\" {\n"));
  EXPECT_EQ(RenderSummaryLine(plan), "Plan: 0 to add, 1 to change, 1 to destroy, 1 state transition.");
}

TEST_F(PlanRenderTest, NoChangesText) {
  Converge(test_util::WebSpec());
  EXPECT_EQ(RenderPlan(CleanPlanFor(test_util::WebSpec())),
            "No changes. The protection setup matches the spec.\n");
}

TEST_F(PlanRenderTest, DriftComesFirst) {
  Converge(test_util::WebSpec());
  fake_.RemoveAgentOutOfBand("host-2");
  const std::string text = RenderPlan(CleanPlanFor(test_util::WebSpec()));
  EXPECT_EQ(
      text.rfind("Objects have changed outside of cdr:\n\n  # group.web.server.web-2 (agent_missing): ", 0),
      0u)
      << text;
  EXPECT_THAT(text, HasSubstr("Plan: 0 to add, 0 to change, 0 to destroy, 1 state transition.\n"));
}

TEST_F(PlanRenderTest, ColorWrapsTheSymbol) {
  const std::string text = RenderPlan(CleanPlanFor(GroupToml("web")), {.color = true});
  EXPECT_THAT(text, HasSubstr("  \033[32m+\033[0m group \"group.web\" {\n"));
}

}  // namespace
}  // namespace cdr::reconcile
