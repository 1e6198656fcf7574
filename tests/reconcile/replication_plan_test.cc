// Plans for the replication side of the server state machine: which transitions the spec's `replication`
// and the server's observed state lead to, and which are refused.
#include <gtest/gtest.h>

#include "reconcile/address.h"
#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile::test_util {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kReplicationPlanServer[] = "group.web.server.web-1";
constexpr char kReplicationPlanShadow[] = "group.web.server.web-1.shadow_host";

const std::string kReplicationPlanRunning = "replication = \"running\"\n";
// One server, replicating unless `extra` sets replication.
std::string ReplicationPlanOneServer(const std::string& extra = "") {
  return GroupToml("web", ServerToml("web-1", "host-1", extra.find("replication") == std::string::npos ? kReplicationPlanRunning + extra : extra));
}
const std::string kReplicationPlanStopped = "replication = \"stopped\"\n";

class ReplicationPlanTest : public ReconcileTest {};

TEST_F(ReplicationPlanTest, NewServerWithReplicationRunningGetsShadowHostThenStart) {
  Plan plan = CleanPlanFor(ReplicationPlanOneServer());
  EXPECT_THAT(Changes(plan), ElementsAre("create/create group.web", "create/create group.web.peering",
                                         "create/create group.web.endpoint",
                                         "create/register group.web.server.web-1",
                                         "create/create group.web.server.web-1.shadow_host",
                                         "transition/start_replication group.web.server.web-1"));
  const ResourceChange& shadow = plan.changes[4];
  EXPECT_EQ(shadow.kind, ResourceKind::kShadowHost);
  EXPECT_EQ(shadow.after["server_id"], "host-1");
  EXPECT_EQ(shadow.after["zone"], "az2");
}

TEST_F(ReplicationPlanTest, NewServerWithReplicationStoppedIsOnlyRegistered) {
  Plan plan = CleanPlanFor(ReplicationPlanOneServer(kReplicationPlanStopped));
  EXPECT_EQ(Changes(plan).back(), "create/register group.web.server.web-1");
  EXPECT_EQ(plan.changes.size(), 4u);
}

TEST_F(ReplicationPlanTest, ConvergedServerHasNoChanges) {
  Converge(ReplicationPlanOneServer());
  EXPECT_EQ(Record(kReplicationPlanServer).status, "realtime");
  EXPECT_TRUE(CleanPlanFor(ReplicationPlanOneServer()).changes.empty());
}

TEST_F(ReplicationPlanTest, StoppedInTheSpecStopsAReplicatingServer) {
  Converge(ReplicationPlanOneServer());
  Plan plan = CleanPlanFor(ReplicationPlanOneServer(kReplicationPlanStopped));
  EXPECT_THAT(Changes(plan), ElementsAre("transition/stop_replication group.web.server.web-1"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("realtime"));
}

TEST_F(ReplicationPlanTest, RunningAgainRestartsWithoutANewShadowHost) {
  Converge(ReplicationPlanOneServer());
  Converge(ReplicationPlanOneServer(kReplicationPlanStopped));
  EXPECT_EQ(Record(kReplicationPlanServer).status, "realtime_stopped");
  Plan plan = CleanPlanFor(ReplicationPlanOneServer());
  EXPECT_THAT(Changes(plan), ElementsAre("transition/start_replication group.web.server.web-1"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("resuming"));
}

TEST_F(ReplicationPlanTest, StartWhileStoppingIsRefusedWithTheReason) {
  Converge(ReplicationPlanOneServer());
  Converge(ReplicationPlanOneServer(kReplicationPlanStopped));
  agents_["host-1"].state = "realtime_stopping";
  PlanResult r = PlanFor(ReplicationPlanOneServer());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, std::string(kReplicationPlanServer) + ".replication");
  EXPECT_THAT(r.errors[0].message, HasSubstr("cannot start replication while the server is realtime_stopping"));
}

TEST_F(ReplicationPlanTest, ReplicationErrorIsRepairedWhenAutoRestartIsOff) {
  Converge(ReplicationPlanOneServer("auto_restart = false\n"));
  agents_["host-1"].state = "replication_error";
  Plan plan = CleanPlanFor(ReplicationPlanOneServer("auto_restart = false\n"));
  EXPECT_THAT(Changes(plan), ElementsAre("transition/repair group.web.server.web-1"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("auto_restart = false"));
  EXPECT_EQ(Record(kReplicationPlanServer).status, "realtime") << "a plan records nothing; apply writes what refresh observed";
  ASSERT_TRUE(RecordObserved(*store_, observations_).ok());
  EXPECT_EQ(Record(kReplicationPlanServer).status, "replication_error");
}

TEST_F(ReplicationPlanTest, AgentAlreadyRepairingByItselfNeedsNoRepair) {
  Converge(ReplicationPlanOneServer());
  agents_["host-1"].state = "repairing";
  agents_["host-1"].stalled = true;
  EXPECT_TRUE(CleanPlanFor(ReplicationPlanOneServer()).changes.empty());
}

TEST_F(ReplicationPlanTest, StoppedAgentProcessIsRestartedAndReportedAsDrift) {
  Converge(ReplicationPlanOneServer());
  fake_.StopAgentOutOfBand("host-1");
  Plan plan = CleanPlanFor(ReplicationPlanOneServer());
  EXPECT_THAT(Changes(plan), ElementsAre("transition/restart_agent group.web.server.web-1"));
  ASSERT_EQ(plan.drifted.size(), 1u);
  EXPECT_EQ(plan.drifted[0].problem, "agent_stopped");
  EXPECT_THAT(plan.drifted[0].detail, HasSubstr("not running"));
}

TEST_F(ReplicationPlanTest, DeregisterStopsReplicationAndDeletesTheShadowHostFirst) {
  Converge(ReplicationPlanOneServer());
  Plan plan = CleanPlanFor(GroupToml("web"));
  EXPECT_THAT(Changes(plan), ElementsAre("transition/stop_replication group.web.server.web-1",
                                         "delete/delete group.web.server.web-1.shadow_host",
                                         "delete/deregister group.web.server.web-1"));
}

TEST_F(ReplicationPlanTest, ShadowHostDeletedOutsideCdrIsCreatedAgainBeforeTheRestart) {
  Converge(ReplicationPlanOneServer());
  Converge(ReplicationPlanOneServer(kReplicationPlanStopped));
  fake_.RemoveShadowHostOutOfBand(Record(kReplicationPlanShadow).provider_id);
  PlanResult r = PlanFor(ReplicationPlanOneServer());
  EXPECT_THAT(Changes(r.plan), ElementsAre("create/create group.web.server.web-1.shadow_host",
                                           "transition/start_replication group.web.server.web-1"));
  ASSERT_EQ(r.plan.drifted.size(), 1u);
  EXPECT_EQ(r.plan.drifted[0].address, kReplicationPlanShadow);
}

TEST_F(ReplicationPlanTest, SettingsChangeWhileReplicatingIsAnUpdate) {
  Converge(ReplicationPlanOneServer());
  Plan plan = CleanPlanFor(ReplicationPlanOneServer("auto_restart = false\n"));
  EXPECT_THAT(Changes(plan), ElementsAre("update/update group.web.server.web-1"));
}

}  // namespace
}  // namespace cdr::reconcile::test_util
