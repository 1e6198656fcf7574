// MakePlan reads the state and never writes it: what the agents report is merged into a copy (the plan's prior
// state and PlanResult::observations) and reaches the store only through RecordObserved, as `cdr apply` calls it.
// The plan modes: -refresh=false asks nobody, -refresh-only holds no changes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reconcile/operation.h"
#include "reconcile/resource_kind.h"
#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile::test_util {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kPlannerServer[] = "group.web.server.web-1";

std::string Replicating() {
  return GroupToml("web", ServerToml("web-1", "host-1", "replication = \"running\"\n"));
}

// Everything a plan could have written: serial, records (attributes included) and jobs.
std::string Snapshot(state::StateStore& store) {
  std::string out = std::to_string(store.Serial()) + "\n";
  for (const auto& r : store.Resources()) out += r.address + " " + r.status + " " + r.attributes.dump() + "\n";
  for (const auto& j : store.Jobs()) out += j.address + " " + j.operation + "\n";
  return out;
}

class PlannerTest : public ReconcileTest {};

TEST_F(PlannerTest, APlanWritesNothingAndApplyRecordsWhatItObserved) {
  Converge(Replicating());
  agents_["host-1"].state = "replication_error";
  const std::string before = Snapshot(*store_);
  PlanResult made = PlanFor(Replicating());
  EXPECT_EQ(Snapshot(*store_), before);
  EXPECT_EQ(PriorStatus(made.plan, kPlannerServer), "replication_error") << "the plan sees the agent";
  ASSERT_EQ(made.observations.size(), 1u);
  EXPECT_EQ(made.observations[0].from, "realtime");
  for (const auto& r : made.plan.prior) {
    EXPECT_FALSE(r.values.contains("observed")) << r.address << ": observations stay out of the plan";
  }

  ASSERT_TRUE(RecordObserved(*store_, made.observations).ok());
  EXPECT_EQ(Record(kPlannerServer).status, "replication_error");
  EXPECT_TRUE(Record(kPlannerServer).attributes.contains("observed"));
  EXPECT_EQ(store_->Jobs()[0].operation, "observe");
  EXPECT_EQ(Snapshot(*store_).substr(0, before.find('\n')), before.substr(0, before.find('\n')))
      << "observations do not move the serial";
}

TEST_F(PlannerTest, NoRefreshAsksNeitherTheProviderNorTheAgents) {
  Converge(Replicating());
  agents_["host-1"].state = "replication_error";
  fake_.ClearCalls();
  auto made = MakePlan(LoadSpec(Replicating()), *store_, fake_, {agents_.Connector(), PlanMode::kNoRefresh});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_TRUE(made->plan.changes.empty()) << "from the state as recorded the server is realtime";
  EXPECT_THAT(made->observations, IsEmpty());
  EXPECT_EQ(made->plan.mode, PlanMode::kNoRefresh);
  ASSERT_FALSE(fake_.calls().empty());
  for (const auto& call : fake_.calls())  // host facts only, one at a time or listed by ids
    EXPECT_THAT(call.method, ::testing::AnyOf("read host", "list host")) << call.key;
}

TEST_F(PlannerTest, RefreshOnlyHoldsWhatChangedOutsideCdrAndNoChanges) {
  Converge(Replicating());
  agents_["host-1"].state = "replication_error";
  auto made = MakePlan(LoadSpec(GroupToml("web", "")), *store_, fake_,
                       {agents_.Connector(), PlanMode::kRefreshOnly});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_THAT(made->plan.changes, IsEmpty()) << "a spec without the server is not compared";
  ASSERT_EQ(made->plan.drifted.size(), 1u);
  EXPECT_EQ(made->plan.drifted[0].problem, "state_changed");
  EXPECT_TRUE(made->plan.Applyable());
}

TEST(PlanTablesTest, EveryNameParsesBack) {
  for (auto kind : {ResourceKind::kGroup, ResourceKind::kPeering, ResourceKind::kEndpoint, ResourceKind::kServer,
                    ResourceKind::kShadowHost, ResourceKind::kDrHost}) {
    EXPECT_EQ(ParseResourceKind(ResourceKindName(kind)), kind);
  }
  for (int i = 0; i <= static_cast<int>(Operation::kUpgradeAgent); ++i) {
    const auto op = static_cast<Operation>(i);
    EXPECT_EQ(ParseOperation(OperationName(op)), op) << OperationName(op);
  }
  for (auto mode : {PlanMode::kNormal, PlanMode::kNoRefresh, PlanMode::kRefreshOnly}) {
    EXPECT_EQ(ParsePlanMode(PlanModeName(mode)), mode);
  }
  EXPECT_THAT(TerraformActions(Action::kReplace), ElementsAre("delete", "create"));
  EXPECT_THAT(TerraformActions(Action::kTransition), ElementsAre("update"));
  EXPECT_FALSE(ParseOperation("format_disk"));
  EXPECT_FALSE(ParseResourceKind("vm"));
}

}  // namespace
}  // namespace cdr::reconcile::test_util
