// The spec's agent settings (reconcile/agent_settings.h) against the fake agents: sent with the start, an
// agent reporting other values is drift and an update in place that sets them live, an agent that does not
// answer is unknown (nothing planned), and a key removed from the spec puts the agent's default back.
#include <gtest/gtest.h>

#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile::test_util {
namespace {

using ::testing::HasSubstr;

constexpr char kServer[] = "group.web.server.web-1";
constexpr uint64_t kMiB = 1ull << 20;

std::string OneServer(const std::string& settings) {
  return GroupToml("web", ServerToml("web-1", "host-1", "replication = \"running\"\n" + settings));
}
const std::string kSettings =
    "replication_rate_mib = 20\njournal_max_mib = 512\nreplication_mode = \"sync\"\n";

class AgentSettingsPlanTest : public ReconcileTest {
 protected:
  const ResourceChange* ServerChange(const Plan& plan) {
    for (const auto& c : plan.changes) {
      if (c.address == kServer) return &c;
    }
    return nullptr;
  }
};

TEST_F(AgentSettingsPlanTest, StartCarriesTheSettingsAndTheJournalCapIsSetLive) {
  Converge(OneServer(kSettings));
  const FakeAgent& agent = agents_["host-1"];
  EXPECT_EQ(agent.target.rate_bytes_per_second, 20 * kMiB);
  EXPECT_TRUE(agent.target.sync_mode);
  EXPECT_EQ(agent.target.outage_window_seconds, 300);  // not in the spec: the agent's default
  EXPECT_EQ(agent.settings.journal_max_bytes, 512 * kMiB);
  EXPECT_EQ(Record(kServer).attributes.value("replication_rate_mib", 0), 20);
  EXPECT_FALSE(Record(kServer).attributes.contains("outage_window_seconds"));
  EXPECT_FALSE(CleanPlanFor(OneServer(kSettings)).HasChanges());
}

TEST_F(AgentSettingsPlanTest, AgentReportingAnotherRateIsDriftAndAnUpdateInPlace) {
  Converge(OneServer(kSettings));
  agents_["host-1"].settings.rate_bytes_per_second = 5 * kMiB;  // changed outside cdr
  agents_["host-1"].commands.clear();
  Plan plan = CleanPlanFor(OneServer(kSettings));
  ASSERT_EQ(plan.drifted.size(), 1u);
  EXPECT_EQ(plan.drifted[0].problem, "settings_changed");
  EXPECT_THAT(plan.drifted[0].detail, HasSubstr("replication_rate_mib = 5 (state: 20)"));
  EXPECT_EQ(plan.drifted[0].observed["replication_rate_mib"], 5);
  ASSERT_EQ(plan.changes.size(), 1u);
  const ResourceChange& c = plan.changes[0];
  EXPECT_EQ(c.action, Action::kUpdate);
  EXPECT_EQ(c.before["replication_rate_mib"], 5);
  EXPECT_EQ(c.after["replication_rate_mib"], 20);
  EXPECT_EQ(c.before["journal_max_mib"], c.after["journal_max_mib"]);
  EXPECT_THAT(c.reason, HasSubstr("in place (no resync)"));

  ApplyResult result = ApplyPlan(plan);
  ASSERT_TRUE(result.steps.at(0).ok) << result.steps.at(0).error;
  EXPECT_EQ(agents_["host-1"].settings.rate_bytes_per_second, 20 * kMiB);
  EXPECT_EQ(agents_["host-1"].commands, std::vector<std::string>{"SetSettings"});  // no stop, no start
  EXPECT_EQ(agents_["host-1"].state, "realtime");
}

TEST_F(AgentSettingsPlanTest, SpecChangeIsAnUpdateInPlace) {
  Converge(OneServer(kSettings));
  Plan plan = CleanPlanFor(
      OneServer("replication_rate_mib = 40\njournal_max_mib = 512\nreplication_mode = \"sync\"\n"));
  EXPECT_TRUE(plan.drifted.empty());
  const ResourceChange* c = ServerChange(plan);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->action, Action::kUpdate);
  EXPECT_EQ(c->before["replication_rate_mib"], 20);
  EXPECT_EQ(c->after["replication_rate_mib"], 40);
  ApplyPlan(plan);
  EXPECT_EQ(agents_["host-1"].settings.rate_bytes_per_second, 40 * kMiB);
  EXPECT_EQ(Record(kServer).attributes.value("replication_rate_mib", 0), 40);
}

TEST_F(AgentSettingsPlanTest, UnreachableAgentIsUnknownNotDriftAndPlansNothing) {
  Converge(OneServer(kSettings));
  agents_["host-1"].settings.rate_bytes_per_second = 5 * kMiB;
  agents_["host-1"].reachable = false;
  Plan plan = CleanPlanFor(OneServer(kSettings));
  EXPECT_TRUE(plan.drifted.empty());
  EXPECT_FALSE(plan.HasChanges());
}

TEST_F(AgentSettingsPlanTest, RemovedKeyPutsTheAgentsDefaultBack) {
  Converge(OneServer(kSettings));
  Plan plan = CleanPlanFor(OneServer("journal_max_mib = 512\nreplication_mode = \"sync\"\n"));
  const ResourceChange* c = ServerChange(plan);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->before["replication_rate_mib"], 20);
  EXPECT_EQ(c->after["replication_rate_mib"], 0);
  ApplyPlan(plan);
  EXPECT_EQ(agents_["host-1"].settings.rate_bytes_per_second, 0u);
}

}  // namespace
}  // namespace cdr::reconcile::test_util
