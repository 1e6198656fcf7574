// The ways out of a failover (reconcile/internal/failover_exits.h): the production fence and its retry, rollback
// of an unconfirmed failover, release after a confirmed one, a group deleted with its released servers, and the
// refusals, each naming the state and the states the operation is allowed in.
#include <gtest/gtest.h>

#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile::test_util {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kFailoverExitsServer[] = "group.web.server.web-1";
constexpr char kFailoverExitsFailover[] = "group.web.server.web-1.failover";

std::string FailoverExitsSpec(const std::string& tables = "") {
  return GroupToml("web", ServerToml("web-1", "host-1", "replication = \"running\"\n" + tables));
}
std::string FailoverTable(bool confirm = false) {
  return std::string("[group.server.failover]\nname = \"web1-dr\"\nconfirm = ") + (confirm ? "true" : "false") + "\n";
}

class FailoverExitsTest : public ReconcileTest {};

TEST_F(FailoverExitsTest, FailoverFencesProductionBeforeStoppingIt) {
  Converge(FailoverExitsSpec());
  Converge(FailoverExitsSpec(FailoverTable()));
  const auto& commands = agents_["host-1"].commands;
  ASSERT_GE(commands.size(), 2u);
  EXPECT_EQ(commands[commands.size() - 2], "Fence");
  EXPECT_EQ(commands.back(), "Stop");
  EXPECT_TRUE(agents_["host-1"].fenced);
  EXPECT_EQ(Record(kFailoverExitsServer).attributes["fenced"], true);
  EXPECT_TRUE(CleanPlanFor(FailoverExitsSpec(FailoverTable())).changes.empty());
}

TEST_F(FailoverExitsTest, UnreachableProductionIsNotFencedAndTheNextPlanRetries) {
  Converge(FailoverExitsSpec());
  Plan plan = CleanPlanFor(FailoverExitsSpec(FailoverTable()));
  agents_["host-1"].reachable = false;
  std::vector<std::string> reports;
  ApplyOptions o = Options();
  o.report = [&](const std::string& line) { reports.push_back(line); };
  ApplyResult result = Apply(plan, *store_, fake_, o);
  ASSERT_EQ(result.Failed(), 0) << "the failover goes on without production";
  EXPECT_EQ(Record(kFailoverExitsServer).status, "failed_over");
  EXPECT_EQ(Record(kFailoverExitsServer).attributes["fenced"], false);
  std::string all;
  for (const auto& r : reports) all += r + "\n";
  EXPECT_THAT(all, HasSubstr("could NOT be fenced"));
  EXPECT_THAT(all, HasSubstr("split brain"));

  plan = CleanPlanFor(FailoverExitsSpec(FailoverTable()));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/fence group.web.server.web-1"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("could not be fenced"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("split brain"));
  result = ApplyPlan(plan);
  ASSERT_EQ(result.Failed(), 1);
  EXPECT_THAT(result.steps[0].error, HasSubstr("split brain"));

  agents_["host-1"].reachable = true;
  ASSERT_EQ(ApplyPlan(CleanPlanFor(FailoverExitsSpec(FailoverTable()))).Failed(), 0);
  EXPECT_TRUE(agents_["host-1"].fenced);
  EXPECT_TRUE(CleanPlanFor(FailoverExitsSpec(FailoverTable())).changes.empty());
}

TEST_F(FailoverExitsTest, AgentReportingUnfencedIsFencedAgain) {
  Converge(FailoverExitsSpec());
  Converge(FailoverExitsSpec(FailoverTable(true)));
  agents_["host-1"].fenced = false;  // e.g. its state directory was restored from a backup
  Plan plan = CleanPlanFor(FailoverExitsSpec(FailoverTable(true)));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/fence group.web.server.web-1"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("reports that it is not fenced"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_TRUE(agents_["host-1"].fenced);
}

TEST_F(FailoverExitsTest, RemovingAnUnconfirmedFailoverRollsBackAndResumesReplication) {
  Converge(FailoverExitsSpec());
  Converge(FailoverExitsSpec(FailoverTable()));
  ASSERT_EQ(agents_["host-1"].state, "realtime_stopped");
  Plan plan = CleanPlanFor(FailoverExitsSpec());
  ASSERT_THAT(Changes(plan), ElementsAre("delete/rollback group.web.server.web-1.failover",
                                         "transition/rollback group.web.server.web-1",
                                         "transition/start_replication group.web.server.web-1"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("IS LOST"));
  EXPECT_THAT(plan.changes[1].reason, HasSubstr("failed_over → realtime_stopped"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_FALSE(store_->Get(kFailoverExitsFailover).has_value());
  EXPECT_TRUE(fake_.dr_hosts().empty());
  EXPECT_FALSE(agents_["host-1"].fenced);
  EXPECT_THAT(agents_["host-1"].commands, Contains("Unfence"));
  EXPECT_EQ(Record(kFailoverExitsServer).status, "realtime");
  EXPECT_TRUE(CleanPlanFor(FailoverExitsSpec()).changes.empty());
}

TEST_F(FailoverExitsTest, RollbackNeedsTheProductionAgent) {
  Converge(FailoverExitsSpec());
  Converge(FailoverExitsSpec(FailoverTable()));
  agents_["host-1"].reachable = false;
  PlanResult r = PlanFor(FailoverExitsSpec());
  ASSERT_EQ(r.errors.size(), 1u) << DiagnosticsText(r.errors);
  EXPECT_EQ(r.errors[0].path, kFailoverExitsFailover);
  EXPECT_THAT(r.errors[0].message, HasSubstr("does not answer (the server is failed_over)"));
}

TEST_F(FailoverExitsTest, DeregisteringAnUnconfirmedFailoverIsRefusedSayingWhatToDo) {
  Converge(FailoverExitsSpec());
  Converge(FailoverExitsSpec(FailoverTable()));
  PlanResult r = PlanFor(GroupToml("web"));
  ASSERT_EQ(r.errors.size(), 1u) << DiagnosticsText(r.errors);
  EXPECT_EQ(r.errors[0].path, kFailoverExitsServer);
  EXPECT_THAT(r.errors[0].message, HasSubstr("cannot deregister while the server is failed_over"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("allowed only once it is failover_confirmed"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("set confirm = true"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("roll back"));
}

TEST_F(FailoverExitsTest, RemovingAConfirmedServerReleasesItsDrHost) {
  Converge(FailoverExitsSpec());
  Converge(FailoverExitsSpec(FailoverTable(true)));
  Plan plan = CleanPlanFor(GroupToml("web"));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/release group.web.server.web-1.failover",
                                         "delete/deregister group.web.server.web-1"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("keeps running as a standalone host"));
  EXPECT_THAT(plan.changes[1].reason, HasSubstr("release"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_FALSE(store_->Get(kFailoverExitsServer).has_value());
  EXPECT_FALSE(store_->Get(kFailoverExitsFailover).has_value());
  ASSERT_EQ(fake_.dr_hosts().size(), 1u);
  EXPECT_EQ(fake_.dr_hosts().begin()->second.status, "running");
  EXPECT_TRUE(CleanPlanFor(GroupToml("web")).changes.empty());
}

TEST_F(FailoverExitsTest, GroupWithOnlyConfirmedServersIsDeletedInOneApply) {
  Converge(FailoverExitsSpec() + GroupToml("db"));
  Converge(FailoverExitsSpec(FailoverTable(true)) + GroupToml("db"));
  Plan plan = CleanPlanFor(GroupToml("db"));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/release group.web.server.web-1.failover",
                                         "delete/deregister group.web.server.web-1", "delete/delete group.web.endpoint",
                                         "delete/delete group.web.peering", "delete/delete group.web"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  for (const auto& address : Addresses()) EXPECT_EQ(address.rfind("group.web.", 0), std::string::npos) << address;
  EXPECT_FALSE(store_->Get("group.web").has_value());
  EXPECT_EQ(fake_.dr_hosts().size(), 1u) << "the released DR host runs on";
}

}  // namespace
}  // namespace cdr::reconcile::test_util
