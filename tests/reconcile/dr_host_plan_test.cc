// Plans and applies for drills and failovers (docs/state-machine.md): the guards that refuse them, the
// changes they make and the state they leave (failing_over → failed_over → failover_confirmed, the shadow
// host deleted on confirm).
#include <gtest/gtest.h>

#include "reconcile/address.h"
#include "reconcile/drift_report.h"
#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile::test_util {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kDrHostPlanServer[] = "group.web.server.web-1";
constexpr char kShadow[] = "group.web.server.web-1.shadow_host";
constexpr char kDrill[] = "group.web.server.web-1.drill";
constexpr char kFailover[] = "group.web.server.web-1.failover";

const std::string kRunning = "replication = \"running\"\n";

std::string DrHostPlanSpec(const std::string& tables = "", const std::string& replication = kRunning) {
  return GroupToml("web", ServerToml("web-1", "host-1", replication + tables));
}
std::string Drill(const std::string& point = "latest", const std::string& extra = "") {
  return "[group.server.drill]\nname = \"web1-drill\"\nrecovery_point = \"" + point + "\"\n" + extra;
}
std::string Failover(const std::string& point = "latest", bool confirm = false) {
  return std::string("[group.server.failover]\nname = \"web1-dr\"\nip = \"10.0.1.5\"\nrecovery_point = \"") + point +
         "\"\nconfirm = " + (confirm ? "true" : "false") + "\n";
}

std::string ErrorsText(const PlanResult& r) { return DiagnosticsText(r.errors); }

class DrHostPlanTest : public ReconcileTest {};

TEST_F(DrHostPlanTest, DrillOnARealtimeServerBringsUpADrHostAndKeepsReplicating) {
  Converge(DrHostPlanSpec());
  ASSERT_EQ(Record(kDrHostPlanServer).status, "realtime");
  Plan plan = CleanPlanFor(DrHostPlanSpec(Drill("latest", "verify = \"fsck\"\n")));
  ASSERT_THAT(Changes(plan), ElementsAre("create/create group.web.server.web-1.drill"));
  EXPECT_EQ(plan.changes[0].after["recovery_point"], "latest");
  EXPECT_EQ(plan.changes[0].after["verify"], "fsck");
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("replication goes on"));
  ApplyResult result = ApplyPlan(plan);
  ASSERT_EQ(result.Failed(), 0) << result.steps[0].error;
  const auto drill = Record(kDrill);
  EXPECT_EQ(drill.status, "created");
  EXPECT_EQ(drill.attributes["verification"]["result"], "passed");
  ASSERT_EQ(fake_.dr_hosts().size(), 1u);
  EXPECT_EQ(fake_.dr_hosts().begin()->second.purpose, "drill");
  EXPECT_EQ(Record(kDrHostPlanServer).status, "realtime");  // the drill does not disturb replication
  EXPECT_TRUE(agents_["host-1"].commands.size() == 1) << "only the first start";
  EXPECT_TRUE(CleanPlanFor(DrHostPlanSpec(Drill("latest", "verify = \"fsck\"\n"))).changes.empty());
}

TEST_F(DrHostPlanTest, DrillIsRefusedUnlessTheServerIsRealtime) {
  Converge(DrHostPlanSpec("", "replication = \"stopped\"\n"));  // initialized: never synced
  PlanResult r = PlanFor(DrHostPlanSpec(Drill(), "replication = \"stopped\"\n"));
  ASSERT_EQ(r.errors.size(), 1u) << ErrorsText(r);
  EXPECT_EQ(r.errors[0].path, kDrill);
  EXPECT_THAT(r.errors[0].message, HasSubstr("only while the server is realtime, realtime_stopping or "
                                             "realtime_stopped"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("it is initialized"));
  EXPECT_EQ(r.errors[0].pos.line, 10) << "points at the [group.server.drill] header";
}

TEST_F(DrHostPlanTest, DrillInFullSyncIsRefusedWithTheReason) {
  agents_["host-1"].stalled = true;
  Plan plan = CleanPlanFor(DrHostPlanSpec());
  ApplyOptions o = Options();
  o.wait = false;
  Apply(plan, *store_, fake_, o);
  agents_["host-1"].state = "full_sync";
  PlanResult r = PlanFor(DrHostPlanSpec(Drill()));
  ASSERT_EQ(r.errors.size(), 1u) << ErrorsText(r);
  EXPECT_THAT(r.errors[0].message, HasSubstr("it is full_sync: wait until the full sync is done"));
}

TEST_F(DrHostPlanTest, ChangingTheDrillPointBringsItUpAgainAndRemovingItClearsIt) {
  Converge(DrHostPlanSpec());
  Converge(DrHostPlanSpec(Drill()));
  const std::string first = Record(kDrill).provider_id;
  Plan plan = CleanPlanFor(DrHostPlanSpec(Drill("rp-20261125T010000Z")));
  ASSERT_THAT(Changes(plan), ElementsAre("replace/replace group.web.server.web-1.drill"));
  EXPECT_THAT(plan.changes[0].replace_because, ElementsAre("recovery_point"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_NE(Record(kDrill).provider_id, first);
  EXPECT_EQ(fake_.dr_hosts().size(), 1u) << "the old drill host is deleted";

  plan = CleanPlanFor(DrHostPlanSpec());
  ASSERT_THAT(Changes(plan), ElementsAre("delete/delete group.web.server.web-1.drill"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_FALSE(store_->Get(kDrill).has_value());
  EXPECT_TRUE(fake_.dr_hosts().empty());
  EXPECT_EQ(Record(kDrHostPlanServer).status, "realtime");
}

TEST_F(DrHostPlanTest, FailedVerificationFailsTheStepKeepsTheHostAndIsDrift) {
  Converge(DrHostPlanSpec());
  fake_.check_result = {"failed", "e2fsck -fn vda exited with 4"};
  ApplyResult result = ApplyPlan(CleanPlanFor(DrHostPlanSpec(Drill("latest", "verify = \"fsck\"\n"))));
  ASSERT_EQ(result.Failed(), 1);
  EXPECT_THAT(result.steps[0].error, HasSubstr("drill verification (fsck) failed: e2fsck -fn vda exited with 4"));
  EXPECT_EQ(Record(kDrill).attributes["verification"]["result"], "failed");
  EXPECT_EQ(fake_.dr_hosts().size(), 1u) << "kept up so it can be looked at";
}

TEST_F(DrHostPlanTest, StoppedDrillHostIsRestartedWithTheSameToken) {
  Converge(DrHostPlanSpec());
  Converge(DrHostPlanSpec(Drill()));
  fake_.StopDrHostOutOfBand(Record(kDrill).provider_id);
  Plan plan = CleanPlanFor(DrHostPlanSpec(Drill()));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/restart group.web.server.web-1.drill"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(fake_.dr_hosts().begin()->second.status, "running");
  EXPECT_EQ(fake_.dr_hosts().size(), 1u);
}

TEST_F(DrHostPlanTest, FailoverWithAnActiveDrillIsRefused) {
  Converge(DrHostPlanSpec());
  Converge(DrHostPlanSpec(Drill()));
  // The spec cannot declare both; dropping the drill and adding the failover in one go needs two applies.
  PlanResult r = PlanFor(DrHostPlanSpec(Failover()));
  bool refused = false;
  for (const auto& e : r.errors) {
    refused |= e.path == kFailover && e.message.find("failover is allowed only with no drill") != std::string::npos;
  }
  EXPECT_TRUE(refused) << ErrorsText(r);
}

TEST_F(DrHostPlanTest, FailoverWalksTheStatesAndStopsReplication) {
  Converge(DrHostPlanSpec());
  Plan plan = CleanPlanFor(DrHostPlanSpec(Failover()));
  ASSERT_THAT(Changes(plan), ElementsAre("create/failover group.web.server.web-1.failover"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kDrHostPlanServer).status, "failed_over");
  EXPECT_EQ(Record(kFailover).status, "created");
  EXPECT_EQ(agents_["host-1"].commands.back(), "Stop");
  std::vector<std::string> transitions;
  for (const auto& job : store_->Jobs(20)) {
    for (const auto& e : store_->JobEvents(job.id)) transitions.push_back(e.to_state);
  }
  EXPECT_NE(std::find(transitions.begin(), transitions.end(), "failing_over"), transitions.end());
  // Converged: replication = "running" does not restart the production side of a failed-over server.
  EXPECT_TRUE(CleanPlanFor(DrHostPlanSpec(Failover())).changes.empty());
}

TEST_F(DrHostPlanTest, ChangeRecoveryPointThenConfirmDeletesTheShadowHost) {
  Converge(DrHostPlanSpec());
  Converge(DrHostPlanSpec(Failover()));
  const std::string first = Record(kFailover).provider_id;
  Plan plan = CleanPlanFor(DrHostPlanSpec(Failover("rp-20261125T010000Z")));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/change_recovery_point group.web.server.web-1.failover"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_NE(Record(kFailover).provider_id, first);
  EXPECT_EQ(Record(kDrHostPlanServer).status, "failed_over");

  plan = CleanPlanFor(DrHostPlanSpec(Failover("rp-20261125T010000Z", true)));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/confirm group.web.server.web-1.failover",
                                         "delete/delete group.web.server.web-1.shadow_host"));
  EXPECT_THAT(plan.changes[1].reason, HasSubstr("every recovery point"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kDrHostPlanServer).status, "failover_confirmed");
  EXPECT_FALSE(store_->Get(kShadow).has_value());
  EXPECT_TRUE(fake_.shadow_hosts().empty());
  EXPECT_TRUE(fake_.dr_hosts().begin()->second.standalone);
  EXPECT_TRUE(CleanPlanFor(DrHostPlanSpec(Failover("rp-20261125T010000Z", true))).changes.empty());

  PlanResult r = PlanFor(DrHostPlanSpec(Failover("latest", true)));
  ASSERT_EQ(r.errors.size(), 1u) << ErrorsText(r);
  EXPECT_THAT(r.errors[0].message, HasSubstr("the failover is confirmed"));
  r = PlanFor(DrHostPlanSpec());
  ASSERT_EQ(r.errors.size(), 1u) << ErrorsText(r);
  EXPECT_THAT(r.errors[0].message, HasSubstr("the server is failover_confirmed: a rollback is allowed only before the failover is confirmed (failing_over, failed_over)"));
}

TEST_F(DrHostPlanTest, PolicyChangeUpdatesTheShadowHost) {
  Converge(DrHostPlanSpec());
  ASSERT_EQ(fake_.policies()["host-1"].every_seconds, 3600);
  Plan plan = CleanPlanFor(DrHostPlanSpec("recovery_points = { every_seconds = 30, keep = 5 }\n"));
  EXPECT_THAT(Changes(plan), ElementsAre("update/update group.web.server.web-1",
                                         "update/set_recovery_policy group.web.server.web-1.shadow_host"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(fake_.policies()["host-1"].every_seconds, 30);
  EXPECT_EQ(fake_.policies()["host-1"].keep, 5);
  EXPECT_TRUE(CleanPlanFor(DrHostPlanSpec("recovery_points = { every_seconds = 30, keep = 5 }\n")).changes.empty());
}

bool HasProblem(const DriftReport& report, const std::string& problem) {
  for (const auto& i : report.items) {
    if (i.problem == problem) return true;
  }
  return false;
}

TEST_F(DrHostPlanTest, DriftReportsAPolicyNotMetAndAFailedDrillVerification) {
  Converge(DrHostPlanSpec("recovery_points = { every_seconds = 60, keep = 5 }\n"));
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const int64_t minute = 60'000'000'000LL;
  providers::RecoveryPoints& points = fake_.recovery_points()["host-1"];
  points.window_start_ns = now - 10 * minute;
  points.window_end_ns = now;
  points.points = {{"rp-20261126T010000Z", now - 9 * minute, "scheduled", 0}};  // none for 9 intervals
  auto report = MakeDriftReport({specs_.back(), "specs", ""}, *store_, fake_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(HasProblem(*report, "recovery_point_policy_not_met")) << RenderDriftText(*report);

  points.points.push_back({"rp-20261126T010900Z", now - minute / 2, "scheduled", 0});
  report = MakeDriftReport({specs_.back(), "specs", ""}, *store_, fake_);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(HasProblem(*report, "recovery_point_policy_not_met")) << RenderDriftText(*report);

  fake_.check_result = {"failed", "`false` exited with 1"};
  const std::string spec = DrHostPlanSpec("recovery_points = { every_seconds = 60, keep = 5 }\n" +
                                Drill("latest", "verify = \"command:false\"\n"));
  ApplyPlan(CleanPlanFor(spec));
  LoadSpec(spec);
  report = MakeDriftReport({specs_.back(), "specs", ""}, *store_, fake_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(HasProblem(*report, "drill_verification_failed")) << RenderDriftText(*report);
}

}  // namespace
}  // namespace cdr::reconcile::test_util
