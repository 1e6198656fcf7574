// The agent upgrade's plan and apply against the recording fake provider and fake agents: agent_version differing
// from the running release is an upgrade_agent transition in the allowed states and a refusal elsewhere (naming
// the state, the allowed ones and what to do); a version the cloud does not offer is refused; a provider failure
// leaves agent_upgrade_failed, whose ways out are setting the version back (planned and applied) or deregistering.
#include <gtest/gtest.h>

#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile::test_util {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kAgentUpgradeServer[] = "group.web.server.web-1";

std::string Spec(const std::string& extra) { return GroupToml("web", ServerToml("web-1", "host-1", extra)); }
std::string Running(const std::string& version = "") {
  return Spec("replication = \"running\"\n" + (version.empty() ? "" : "agent_version = \"" + version + "\"\n"));
}

class AgentUpgradeTest : public ReconcileTest {};

TEST_F(AgentUpgradeTest, RealtimeServerIsUpgradedAndReturnsToRealtime) {
  Converge(Running());
  ASSERT_EQ(Record(kAgentUpgradeServer).status, "realtime");
  Plan plan = CleanPlanFor(Running("1.3.0"));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/upgrade_agent group.web.server.web-1"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("upgrade agent 1.2.3 -> 1.3.0"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("no full sync"));

  const std::vector<std::string> commands = agents_["host-1"].commands;
  ApplyResult result = ApplyPlan(plan);
  ASSERT_EQ(result.Failed(), 0) << result.steps[0].error;
  const state::ResourceRecord r = Record(kAgentUpgradeServer);
  EXPECT_EQ(r.status, "realtime");
  EXPECT_EQ(r.attributes["agent_version"], "1.3.0");
  EXPECT_FALSE(r.attributes.contains("upgrade_to"));
  EXPECT_TRUE(CleanPlanFor(Running("1.3.0")).changes.empty());
  // Nothing was restarted on the replication side: no start, stop or repair reached the agent.
  EXPECT_EQ(agents_["host-1"].commands, commands);
}

TEST_F(AgentUpgradeTest, UpgradeOutsideTheAllowedStatesIsRefusedNamingThem) {
  Converge(Running());
  agents_["host-1"].state = "full_sync";
  agents_["host-1"].stalled = true;
  PlanResult r = PlanFor(Running("1.3.0"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, std::string(kAgentUpgradeServer) + ".agent_version");
  EXPECT_EQ(r.errors[0].pos.line, 10) << r.errors[0].message;
  EXPECT_THAT(r.errors[0].message, HasSubstr("while the server is full_sync"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("initialized, realtime, realtime_stopped"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("wait until the full sync reaches realtime"));
}

TEST_F(AgentUpgradeTest, AVersionTheCloudDoesNotOfferIsRefused) {
  Converge(Running());
  PlanResult r = PlanFor(Running("9.9.9"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("\"9.9.9\" is not offered by the provider (it offers 1.2.3, 1.3.0)"));
}

TEST_F(AgentUpgradeTest, FailedUpgradeIsLeftByTheOldVersionOrByDeregistering) {
  Converge(Running());
  fake_.hooks["upgrade agent"] = [](const test_util::FakeCall& call) {
    return call.key == "host-1" && call.args.value("version", "") == "1.3.0"
               ? FailedPrecondition("cdr-agent 1.3.0 exited at start")
               : Status::Ok();
  };
  ApplyResult failed = ApplyPlan(CleanPlanFor(Running("1.3.0")));
  ASSERT_EQ(failed.Failed(), 1);
  EXPECT_THAT(failed.steps[0].error, HasSubstr("agent_version = \"1.2.3\""));
  EXPECT_EQ(Record(kAgentUpgradeServer).status, "agent_upgrade_failed");

  PlanResult again = PlanFor(Running("1.3.0"));
  ASSERT_EQ(again.errors.size(), 1u);
  EXPECT_THAT(again.errors[0].message, HasSubstr("the server is agent_upgrade_failed"));
  EXPECT_THAT(again.errors[0].message, HasSubstr("exited at start"));
  EXPECT_THAT(again.errors[0].message, HasSubstr("set agent_version = \"1.2.3\""));
  EXPECT_THAT(again.errors[0].message, HasSubstr("deregisters"));

  Plan gone = CleanPlanFor(GroupToml("web", ""));
  EXPECT_THAT(Changes(gone), ::testing::Contains("delete/deregister group.web.server.web-1"));

  Plan back = CleanPlanFor(Running("1.2.3"));
  ASSERT_THAT(Changes(back), ElementsAre("transition/upgrade_agent group.web.server.web-1"));
  EXPECT_THAT(back.changes[0].reason, HasSubstr("upgrade agent 1.3.0 -> 1.2.3"));
  ASSERT_EQ(ApplyPlan(back).Failed(), 0);
  EXPECT_EQ(Record(kAgentUpgradeServer).status, "realtime");
  EXPECT_EQ(Record(kAgentUpgradeServer).attributes["agent_version"], "1.2.3");
}

TEST_F(AgentUpgradeTest, AnInterruptedUpgradeIsResumed) {
  Converge(Running());
  state::ResourceRecord r = Record(kAgentUpgradeServer);
  r.status = "agent_upgrading";
  r.attributes["upgrade_from_state"] = "realtime";
  r.attributes["upgrade_from_version"] = "1.2.3";
  r.attributes["upgrade_to"] = "1.3.0";
  ASSERT_TRUE(store_->Put(r).ok());
  Plan plan = CleanPlanFor(Running("1.3.0"));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/upgrade_agent group.web.server.web-1"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("resuming"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kAgentUpgradeServer).status, "realtime");
  EXPECT_EQ(Record(kAgentUpgradeServer).attributes["agent_version"], "1.3.0");
}

}  // namespace
}  // namespace cdr::reconcile::test_util
