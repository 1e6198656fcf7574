// Group failover and failback ([group.failover], [group.failback]; reconcile/group_point.h): every server of the
// group fails over at ONE recovery point the plan shows, a server that cannot reach it refuses the whole group
// before anything moves, a failover that stopped mid-way resumes at the same point, rollback and failback walk
// every server with the per-server machinery.
#include <gtest/gtest.h>

#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile::test_util {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kWeb1[] = "group.web.server.web-1";
constexpr char kWeb2[] = "group.web.server.web-2";

std::string GroupFailoverSpec(const std::string& group_tables = "") {
  return GroupToml("web", ServerToml("web-1", "host-1", "replication = \"running\"\n") +
                              ServerToml("web-2", "host-2", "replication = \"running\"\n") + group_tables);
}
std::string GroupFailover(const std::string& point = "latest", bool confirm = false) {
  return "[group.failover]\nrecovery_point = \"" + point + "\"\nconfirm = " + (confirm ? "true" : "false") + "\n";
}

class GroupFailoverTest : public ReconcileTest {
 protected:
  void SetUp() override {
    ReconcileTest::SetUp();
    Converge(GroupFailoverSpec());
    // rp-1 and rp-3 are on both servers (a schedule); rp-4 only on web-1 (web-2's is not recorded yet).
    Points("host-1", {{"rp-20261125T100000Z", 1}, {"rp-20261125T110000Z-g007", 3}, {"rp-20261125T120000Z", 4}});
    Points("host-2", {{"rp-20261125T100000Z", 1}, {"rp-20261125T103000Z", 2}, {"rp-20261125T110000Z-g007", 3}});
  }
  void Points(const std::string& host, const std::vector<std::pair<std::string, int64_t>>& points) {
    providers::RecoveryPoints& p = fake_.recovery_points()[host];
    p.points.clear();
    for (const auto& [id, t] : points) p.points.push_back({id, t, "scheduled", 0});
    p.window_start_ns = 1;
    p.window_end_ns = 10;
  }
  std::string DrPointOf(const std::string& server) {
    return fake_.dr_hosts().at(Record(std::string(server) + ".failover").provider_id).recovery_point;
  }
};

TEST_F(GroupFailoverTest, LatestIsTheNewestPointEveryServerHasAndThePlanShowsIt) {
  Plan plan = CleanPlanFor(GroupFailoverSpec(GroupFailover()));
  ASSERT_THAT(Changes(plan), ElementsAre("create/failover group.web.server.web-1.failover",
                                         "create/failover group.web.server.web-2.failover"));
  for (const auto& c : plan.changes) {
    EXPECT_EQ(c.after["recovery_point"], "rp-20261125T110000Z-g007");
    EXPECT_THAT(c.reason, HasSubstr("rp-20261125T110000Z-g007 (the group's `latest`: one point for every server)"));
  }
  EXPECT_EQ(plan.changes[1].after["name"], "web-2-dr");
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kWeb1).status, "failed_over");
  EXPECT_EQ(Record(kWeb2).status, "failed_over");
  EXPECT_EQ(DrPointOf(kWeb1), "rp-20261125T110000Z-g007");
  EXPECT_EQ(DrPointOf(kWeb2), "rp-20261125T110000Z-g007");

  // A newer common point does not move a group that failed over at `latest`.
  Points("host-2", {{"rp-20261125T110000Z-g007", 3}, {"rp-20261125T120000Z", 4}});
  EXPECT_TRUE(CleanPlanFor(GroupFailoverSpec(GroupFailover())).changes.empty());

  // Confirm moves both; the shadow hosts and their points go.
  Converge(GroupFailoverSpec(GroupFailover("latest", true)));
  EXPECT_EQ(Record(kWeb1).status, "failover_confirmed");
  EXPECT_EQ(Record(kWeb2).status, "failover_confirmed");
  EXPECT_TRUE(CleanPlanFor(GroupFailoverSpec(GroupFailover("latest", true))).changes.empty());

  // Once confirmed, another point is each server's refusal (the points are gone), not the group's.
  PlanResult r = PlanFor(GroupFailoverSpec(GroupFailover("rp-20261125T100000Z", true)));
  ASSERT_EQ(r.errors.size(), 2u) << DiagnosticsText(r.errors);
  EXPECT_THAT(r.errors[0].message, HasSubstr("the failover is confirmed (failover_confirmed): its recovery_point can "
                                             "no longer change"));
}

TEST_F(GroupFailoverTest, AServerWithoutThePointRefusesTheWholeGroupBeforeAnythingMoves) {
  PlanResult r = PlanFor(GroupFailoverSpec(GroupFailover("rp-20261125T120000Z")));
  ASSERT_EQ(r.errors.size(), 1u) << DiagnosticsText(r.errors);
  EXPECT_EQ(r.errors[0].path, "group.web.failover");
  EXPECT_EQ(r.errors[0].pos.line, 14) << "points at the [group.failover] header";
  EXPECT_THAT(r.errors[0].message, HasSubstr("group failover of web at rp-20261125T120000Z is refused before "
                                             "anything moves"));
  EXPECT_THAT(r.errors[0].message,
              HasSubstr("web-2 (realtime) has no recovery point rp-20261125T120000Z (its newest is "
                        "rp-20261125T110000Z-g007)"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("every server realtime, realtime_stopping or realtime_stopped"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("cdr recovery-points web --take"));
  EXPECT_TRUE(r.plan.changes.empty());

  // No common point at all: each server's state and newest point are named.
  Points("host-2", {});
  r = PlanFor(GroupFailoverSpec(GroupFailover()));
  ASSERT_EQ(r.errors.size(), 1u) << DiagnosticsText(r.errors);
  EXPECT_THAT(r.errors[0].message, HasSubstr("no recovery point is common to every server"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("web-2 (realtime): 0 point(s), it has no recovery points yet"));
}

TEST_F(GroupFailoverTest, AServerNotReplicatingRefusesNamingItsStateAndTheAllowedStates) {
  agents_["host-2"].state = "full_sync";
  PlanResult r = PlanFor(GroupFailoverSpec(GroupFailover("rp-20261125T100000Z")));
  ASSERT_EQ(r.errors.size(), 1u) << DiagnosticsText(r.errors);
  EXPECT_EQ(r.errors[0].path, "group.web.server.web-2.failover");
  EXPECT_EQ(r.errors[0].pos.line, 14);
  EXPECT_THAT(r.errors[0].message, HasSubstr("allowed only while the server is realtime, realtime_stopping or "
                                             "realtime_stopped"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("it is full_sync"));
}

TEST_F(GroupFailoverTest, AServerThatFailedMidWayResumesAtTheGroupsPoint) {
  fake_.hooks["create dr_host"] = [](const test_util::FakeCall& call) {
    return call.key == "web-2-dr" ? Unavailable("the DR zone is out of capacity") : Status::Ok();
  };
  ASSERT_EQ(ApplyPlan(CleanPlanFor(GroupFailoverSpec(GroupFailover()))).Failed(), 1);
  EXPECT_EQ(Record(kWeb1).status, "failed_over");
  EXPECT_EQ(Record(kWeb2).status, "failing_over");
  fake_.hooks.erase("create dr_host");

  // A newer point every server has appeared meanwhile; web-2 still follows web-1's.
  Points("host-1", {{"rp-20261125T110000Z-g007", 3}, {"rp-20261125T130000Z", 5}});
  Points("host-2", {{"rp-20261125T110000Z-g007", 3}, {"rp-20261125T130000Z", 5}});
  Plan plan = CleanPlanFor(GroupFailoverSpec(GroupFailover()));
  ASSERT_THAT(Changes(plan), ElementsAre("create/failover group.web.server.web-2.failover"));
  EXPECT_EQ(plan.changes[0].after["recovery_point"], "rp-20261125T110000Z-g007");
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kWeb2).status, "failed_over");
  EXPECT_EQ(DrPointOf(kWeb2), "rp-20261125T110000Z-g007");
}

TEST_F(GroupFailoverTest, RemovingTheGroupTableBeforeConfirmRollsEveryServerBack) {
  Converge(GroupFailoverSpec(GroupFailover()));
  Plan plan = CleanPlanFor(GroupFailoverSpec());
  ASSERT_THAT(Changes(plan), ElementsAre("delete/rollback group.web.server.web-1.failover",
                                         "transition/rollback group.web.server.web-1",
                                         "transition/start_replication group.web.server.web-1",
                                         "delete/rollback group.web.server.web-2.failover",
                                         "transition/rollback group.web.server.web-2",
                                         "transition/start_replication group.web.server.web-2"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kWeb1).status, "realtime");
  EXPECT_EQ(Record(kWeb2).status, "realtime");
  EXPECT_TRUE(fake_.dr_hosts().empty());
}

TEST_F(GroupFailoverTest, RemovingTheGroupTableAfterConfirmIsRefusedNamingTheGroupTablesAndTheStates) {
  Converge(GroupFailoverSpec(GroupFailover("latest", true)));
  PlanResult r = PlanFor(GroupFailoverSpec());
  ASSERT_EQ(r.errors.size(), 2u) << DiagnosticsText(r.errors);  // one per server
  for (const auto& e : r.errors) {
    EXPECT_THAT(e.message, HasSubstr("[group.failover] was removed, but the server is failover_confirmed: a rollback "
                                     "is allowed only before the failover is confirmed (failing_over, failed_over)"));
    EXPECT_THAT(e.message, HasSubstr("to bring the service home, add [group.failback]"));
  }
}

TEST_F(GroupFailoverTest, GroupFailbackBeforeAFailoverIsRefusedNamingTheStateAndTheGroupTables) {
  PlanResult r = PlanFor(GroupFailoverSpec("[group.failback]\n"));
  ASSERT_EQ(r.errors.size(), 2u) << DiagnosticsText(r.errors);
  for (const auto& e : r.errors) {
    EXPECT_EQ(e.pos.line, 14) << "points at the [group.failback] header";
    EXPECT_THAT(e.message, HasSubstr("failback is allowed only from failover_confirmed"));
    EXPECT_THAT(e.message, HasSubstr("the server is realtime. Fail over first ([group.failover]) and confirm it "
                                     "(confirm = true), or remove [group.failback]"));
  }
}

TEST_F(GroupFailoverTest, GroupFailbackBringsEveryServerHome) {
  Converge(GroupFailoverSpec(GroupFailover("latest", true)));
  const std::string both = GroupFailover("latest", true) + "[group.failback]\n";
  Plan plan = CleanPlanFor(GroupFailoverSpec(both));
  EXPECT_THAT(Changes(plan), ::testing::Contains("transition/failback group.web.server.web-1"));
  EXPECT_THAT(Changes(plan), ::testing::Contains("transition/failback group.web.server.web-2"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kWeb1).status, "failed_back");
  EXPECT_EQ(Record(kWeb2).status, "failed_back");
  EXPECT_FALSE(agents_["host-1"].fenced);
  EXPECT_FALSE(agents_["host-2"].fenced);
  Converge(GroupFailoverSpec());  // both tables removed: protected again
  EXPECT_EQ(Record(kWeb1).status, "realtime");
  EXPECT_EQ(Record(kWeb2).status, "realtime");
}

}  // namespace
}  // namespace cdr::reconcile::test_util
