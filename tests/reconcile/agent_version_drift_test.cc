// The running agent's release against the spec's (agent_version, or the provider's default when it names none):
// plan and drift name the server, both releases and what apply does; apply puts the wanted release back; status
// shows only what the agent said live.
#include <gtest/gtest.h>

#include "providers/types/agent.h"
#include "reconcile/drift_report.h"
#include "reconcile/refresh.h"
#include "reconcile/status_report.h"
#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile::test_util {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kAgentVersionDriftServer[] = "group.web.server.web-1";

std::string AgentVersionDriftRunning(const std::string& version = "") {
  return GroupToml("web", ServerToml("web-1", "host-1",
                                     "replication = \"running\"\n" +
                                         (version.empty() ? "" : "agent_version = \"" + version + "\"\n")));
}

const DriftedResource* VersionItem(const std::vector<DriftedResource>& items) {
  for (const auto& d : items) {
    if (d.problem == "agent_version_differs") return &d;
  }
  return nullptr;
}

class AgentVersionDriftTest : public ReconcileTest {};

// Someone replaced the agent by another release behind cdr's back; the spec names none, so the default is wanted.
TEST_F(AgentVersionDriftTest, AnAgentReplacedOutsideCdrIsDriftAndApplyPutsTheDefaultBack) {
  Converge(AgentVersionDriftRunning());
  ASSERT_TRUE(providers::types::UpgradeAgent(fake_, {"host-1", "1.3.0"}).ok());

  PlanResult made = PlanFor(AgentVersionDriftRunning());
  ASSERT_TRUE(made.errors.empty()) << DiagnosticsText(made.errors);
  const DriftedResource* item = VersionItem(made.plan.drifted);
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->address, kAgentVersionDriftServer);
  EXPECT_THAT(item->detail, HasSubstr("the agent of host-1 runs 1.3.0"));
  EXPECT_THAT(item->detail, HasSubstr("provider's default release 1.2.3"));
  EXPECT_THAT(item->detail, HasSubstr("`cdr apply` replaces it by 1.2.3"));
  EXPECT_EQ(item->observed["running"], "1.3.0");
  EXPECT_EQ(item->observed["wanted"], "1.2.3");
  ASSERT_THAT(Changes(made.plan), ElementsAre("transition/upgrade_agent group.web.server.web-1"));

  auto report = MakeDriftReport({specs_.back(), "specs", ""}, *store_, fake_, agents_.Connector());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->items.size(), 1u) << RenderDriftText(*report);
  EXPECT_EQ(report->items[0].problem, "agent_version_differs");

  ApplyResult result = ApplyPlan(made.plan);
  ASSERT_EQ(result.Failed(), 0) << result.steps[0].error;
  EXPECT_EQ(Record(kAgentVersionDriftServer).status, "realtime");
  PlanResult after = PlanFor(AgentVersionDriftRunning());
  EXPECT_EQ(VersionItem(after.plan.drifted), nullptr);
  EXPECT_TRUE(after.plan.changes.empty());
}

TEST_F(AgentVersionDriftTest, ANamedReleaseTheAgentDoesNotRunIsDriftUntilApplied) {
  Converge(AgentVersionDriftRunning());
  PlanResult made = PlanFor(AgentVersionDriftRunning("1.3.0"));
  const DriftedResource* item = VersionItem(made.plan.drifted);
  ASSERT_NE(item, nullptr);
  EXPECT_THAT(item->detail, HasSubstr("runs 1.2.3; the spec asks for 1.3.0 (agent_version)"));
  EXPECT_THAT(item->detail, HasSubstr("(upgrade_agent"));
}

// Outside the states an upgrade is allowed in, nothing is refused (the spec asked for nothing) and drift says when.
TEST_F(AgentVersionDriftTest, OutsideTheAllowedStatesTheDefaultWaitsAndDriftSaysUntilWhen) {
  Converge(AgentVersionDriftRunning());
  ASSERT_TRUE(providers::types::UpgradeAgent(fake_, {"host-1", "1.3.0"}).ok());
  agents_["host-1"].state = "full_sync";
  agents_["host-1"].stalled = true;
  PlanResult made = PlanFor(AgentVersionDriftRunning());
  EXPECT_TRUE(made.errors.empty()) << DiagnosticsText(made.errors);
  EXPECT_TRUE(made.plan.changes.empty());
  const DriftedResource* item = VersionItem(made.plan.drifted);
  ASSERT_NE(item, nullptr);
  EXPECT_THAT(item->detail, HasSubstr("once the server is initialized, realtime or realtime_stopped (it is full_sync)"));
}

TEST_F(AgentVersionDriftTest, StatusShowsTheReleaseOnlyAsTheAgentSaidItLive) {
  Converge(AgentVersionDriftRunning());
  ASSERT_TRUE(providers::types::UpgradeAgent(fake_, {"host-1", "1.3.0"}).ok());
  const auto records = store_->Resources();
  auto live = Refresh(fake_, records, {}, agents_.Connector());
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(BuildStatus(records, &*live)[0].servers[0].agent_version, "1.3.0");
  // Not asked: the state's record of what cdr installed (1.2.3) is not shown as what runs.
  const std::vector<GroupStatus> stored = BuildStatus(records);
  EXPECT_EQ(stored[0].servers[0].agent_version, "");
  EXPECT_EQ(StatusToJson(stored)["groups"][0]["servers"][0]["agent_version"], "unknown");
}

}  // namespace
}  // namespace cdr::reconcile::test_util
