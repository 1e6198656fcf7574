// Apply of replication transitions against the fake agents: states written around each command, waits through
// the agent's phases, failures leave the observed state, and a crashed apply resumes from what the agent says.
#include <gtest/gtest.h>

#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile::test_util {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kReplicationApplyServer[] = "group.web.server.web-1";
constexpr char kReplicationApplyShadow[] = "group.web.server.web-1.shadow_host";

const std::string kReplicationApplyRunning = "replication = \"running\"\n";
// One server, replicating unless `extra` sets replication.
std::string ReplicationApplyOneServer(const std::string& extra = "") {
  return GroupToml("web", ServerToml("web-1", "host-1", extra.find("replication") == std::string::npos ? kReplicationApplyRunning + extra : extra));
}
const std::string kStopped = "replication = \"stopped\"\n";

class ReplicationApplyTest : public ReconcileTest {
 protected:
  // The job events of the newest job of `operation` on the server: "from→to".
  std::vector<std::string> Events(const std::string& operation) {
    for (const auto& job : store_->Jobs()) {
      if (job.address != kReplicationApplyServer || job.operation != operation) continue;
      std::vector<std::string> out;
      for (const auto& e : store_->JobEvents(job.id)) out.push_back(e.from_state + "→" + e.to_state);
      return out;
    }
    return {};
  }
};

TEST_F(ReplicationApplyTest, StartWaitsThroughEveryPhaseUntilRealtime) {
  Converge(ReplicationApplyOneServer());
  EXPECT_EQ(Record(kReplicationApplyServer).status, "realtime");
  EXPECT_THAT(Events("start_replication"), ElementsAre("initialized→replication_starting",
                                                       "replication_starting→full_sync", "full_sync→realtime"));
  const auto shadow = Record(kReplicationApplyShadow);
  EXPECT_EQ(shadow.status, "created");
  ASSERT_EQ(agents_["host-1"].commands.size(), 1u);
  EXPECT_EQ(agents_["host-1"].commands[0], "Start " + shadow.attributes.value("replication_address", ""));
  EXPECT_EQ(agents_["host-1"].target.server_id, "host-1");
  EXPECT_TRUE(agents_["host-1"].target.auto_restart);
  ASSERT_FALSE(progress_.empty());
  EXPECT_TRUE(progress_.back().finished);
  EXPECT_EQ(progress_.back().state, "realtime");
  EXPECT_DOUBLE_EQ(progress_.back().progress_percent, 100);
  EXPECT_DOUBLE_EQ(Record(kReplicationApplyServer).attributes.value("rpo_seconds", -1.0), 0.25);
}

TEST_F(ReplicationApplyTest, AutoRestartFromTheSpecGoesToTheAgent) {
  Converge(ReplicationApplyOneServer("auto_restart = false\n"));
  EXPECT_FALSE(agents_["host-1"].target.auto_restart);
}

TEST_F(ReplicationApplyTest, StopWaitsForStoppedAndStartResumes) {
  Converge(ReplicationApplyOneServer());
  Converge(ReplicationApplyOneServer(kStopped));
  EXPECT_EQ(Record(kReplicationApplyServer).status, "realtime_stopped");
  EXPECT_THAT(Events("stop_replication"), ElementsAre("realtime→realtime_stopping", "realtime_stopping→realtime_stopped"));
  Converge(ReplicationApplyOneServer());
  EXPECT_EQ(Record(kReplicationApplyServer).status, "realtime");
  EXPECT_THAT(agents_["host-1"].commands, ElementsAre(HasSubstr("Start"), "Stop", HasSubstr("Start")));
  EXPECT_EQ(fake_.shadow_hosts().size(), 1u);
}

TEST_F(ReplicationApplyTest, FullSyncErrorFailsTheStepWithTheAgentsError) {
  agents_["host-1"].fail_full_sync_with = "journal full";
  Plan plan = CleanPlanFor(ReplicationApplyOneServer());
  ApplyResult result = ApplyPlan(plan);
  ASSERT_FALSE(result.steps.back().ok);
  EXPECT_THAT(result.steps.back().error, HasSubstr("journal full"));
  EXPECT_EQ(Record(kReplicationApplyServer).status, "replication_error");
  EXPECT_THAT(Record(kReplicationApplyServer).attributes.value("last_error", ""), HasSubstr("journal full"));
}

TEST_F(ReplicationApplyTest, RefusedStartLeavesTheAgentsStateAndTheError) {
  agents_["host-1"].refuse_next_command = FailedPrecondition("disk busy");
  Plan plan = CleanPlanFor(ReplicationApplyOneServer());
  ApplyResult result = ApplyPlan(plan);
  EXPECT_FALSE(result.steps.back().ok);
  EXPECT_EQ(Record(kReplicationApplyServer).status, "initialized");
  EXPECT_THAT(Record(kReplicationApplyServer).attributes.value("last_error", ""), HasSubstr("disk busy"));
}

TEST_F(ReplicationApplyTest, FailedShadowHostSkipsOnlyThatServersStart) {
  fake_.FailOn("create shadow_host", Unavailable("quota"), "shadow-web-1");
  Plan plan = CleanPlanFor(GroupToml("web", ServerToml("web-1", "host-1", kReplicationApplyRunning) + ServerToml("web-2", "host-2", kReplicationApplyRunning)));
  ApplyResult result = ApplyPlan(plan);
  EXPECT_EQ(Record(kReplicationApplyServer).status, "initialized");
  EXPECT_EQ(Record("group.web.server.web-2").status, "realtime");
  EXPECT_EQ(result.Failed(), 2) << "the failed create and the skipped start";
  EXPECT_TRUE(agents_["host-1"].commands.empty());
}

TEST_F(ReplicationApplyTest, NoWaitReturnsOnceAcceptedAndTheNextPlanSeesTheAgent) {
  Plan plan = CleanPlanFor(ReplicationApplyOneServer());
  ApplyOptions o = Options();
  o.wait = false;
  ApplyResult result = Apply(plan, *store_, fake_, o);
  EXPECT_EQ(result.Failed(), 0);
  EXPECT_EQ(Record(kReplicationApplyServer).status, "replication_starting");
  EXPECT_TRUE(CleanPlanFor(ReplicationApplyOneServer()).changes.empty());
  EXPECT_EQ(PriorStatus(CleanPlanFor(ReplicationApplyOneServer()), kReplicationApplyServer), "full_sync") << "the first poll saw it starting";
  EXPECT_EQ(Record(kReplicationApplyServer).status, "replication_starting") << "a plan records nothing";
}

TEST_F(ReplicationApplyTest, WaitDeadlineFailsTheStepButTheAgentGoesOn) {
  agents_["host-1"].polls_per_state = 1000000;
  Plan plan = CleanPlanFor(ReplicationApplyOneServer());
  ApplyOptions o = Options();
  o.wait_timeout = std::chrono::milliseconds(200);
  ApplyResult result = Apply(plan, *store_, fake_, o);
  ASSERT_FALSE(result.steps.back().ok);
  EXPECT_THAT(result.steps.back().error, HasSubstr("did not reach realtime"));
  EXPECT_EQ(Record(kReplicationApplyServer).status, "replication_starting");
  agents_["host-1"].polls_per_state = 1;
  EXPECT_TRUE(CleanPlanFor(ReplicationApplyOneServer()).changes.empty()) << "the agent is on its way: nothing to do";
}

TEST_F(ReplicationApplyTest, ApplyKilledBeforeTheStartCommandStartsOnceOnResume) {
  Converge(ReplicationApplyOneServer(kStopped));
  // What a kill -9 right after the state write and before the command leaves behind.
  SetStatus(kReplicationApplyServer, "replication_starting");
  Plan plan = CleanPlanFor(ReplicationApplyOneServer());
  EXPECT_EQ(PriorStatus(plan, kReplicationApplyServer), "initialized") << "refresh takes the agent's word";
  EXPECT_THAT(Changes(plan), ElementsAre("create/create group.web.server.web-1.shadow_host",
                                         "transition/start_replication group.web.server.web-1"));
  ApplyPlan(plan);
  EXPECT_EQ(Record(kReplicationApplyServer).status, "realtime");
  EXPECT_EQ(agents_["host-1"].commands.size(), 1u);
}

TEST_F(ReplicationApplyTest, RepairWaitsForRealtime) {
  Converge(ReplicationApplyOneServer("auto_restart = false\n"));
  agents_["host-1"].state = "replication_error";
  Converge(ReplicationApplyOneServer("auto_restart = false\n"));
  EXPECT_EQ(Record(kReplicationApplyServer).status, "realtime");
  EXPECT_THAT(Events("repair"), ElementsAre("replication_error→repair_starting", "repair_starting→repairing",
                                            "repairing→realtime"));
}

TEST_F(ReplicationApplyTest, RestartAgentReinstallsAndObservesTheAgent) {
  Converge(ReplicationApplyOneServer());
  fake_.StopAgentOutOfBand("host-1");
  Converge(ReplicationApplyOneServer());
  EXPECT_EQ(fake_.agents().at("host-1").status, "running");
  EXPECT_TRUE(CleanPlanFor(ReplicationApplyOneServer()).changes.empty());
}

TEST_F(ReplicationApplyTest, DeregisterStopsDeletesTheShadowHostAndUninstalls) {
  Converge(ReplicationApplyOneServer());
  const std::string shadow_id = Record(kReplicationApplyShadow).provider_id;
  Converge(GroupToml("web"));
  EXPECT_FALSE(store_->Get(kReplicationApplyServer).has_value());
  EXPECT_FALSE(store_->Get(kReplicationApplyShadow).has_value());
  EXPECT_EQ(fake_.shadow_hosts().count(shadow_id), 0u);
  EXPECT_EQ(fake_.agents().count("host-1"), 0u);
  EXPECT_EQ(agents_["host-1"].commands.back(), "Stop");
}

}  // namespace
}  // namespace cdr::reconcile::test_util
