// Which steps of a plan wait for which: a group's network before its servers, a server's steps in order, a
// host left before it is registered again, a group removed after its servers; different servers and groups
// free.
#include "reconcile/apply_order.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reconcile/address.h"
#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile {
namespace {

using test_util::GroupToml;
using test_util::ServerToml;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

ResourceChange Change(const std::string& address, ResourceKind kind, Operation operation,
                      const std::string& host = "") {
  ResourceChange c;
  c.address = address;
  c.kind = kind;
  c.operation = operation;
  if (!host.empty()) c.after = {{"host", host}};
  return c;
}

TEST(ApplyOrderTest, ServersWaitForTheirGroupAndOwnStepsOnly) {
  const std::vector<ResourceChange> changes = {
      Change("group.a", ResourceKind::kGroup, Operation::kCreate),                                // 0
      Change("group.a.peering", ResourceKind::kPeering, Operation::kCreate),                      // 1
      Change("group.a.server.x", ResourceKind::kServer, Operation::kRegister, "host-1"),          // 2
      Change("group.a.server.x.shadow_host", ResourceKind::kShadowHost, Operation::kCreate),      // 3
      Change("group.a.server.x", ResourceKind::kServer, Operation::kStartReplication, "host-1"),  // 4
      Change("group.a.server.y", ResourceKind::kServer, Operation::kRegister, "host-2"),          // 5
      Change("group.b", ResourceKind::kGroup, Operation::kCreate),                                // 6
      Change("group.b.server.z", ResourceKind::kServer, Operation::kRegister, "host-3"),          // 7
  };
  const auto deps = StepDependencies(changes);
  EXPECT_THAT(deps[0], IsEmpty());
  EXPECT_THAT(deps[1], ElementsAre(0));
  EXPECT_THAT(deps[2], ElementsAre(0, 1));
  EXPECT_THAT(deps[3], ElementsAre(0, 1, 2));
  EXPECT_THAT(deps[4], ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(deps[5], ElementsAre(0, 1));  // not x's steps
  EXPECT_THAT(deps[6], IsEmpty());          // another group
  EXPECT_THAT(deps[7], ElementsAre(6));
}

TEST(ApplyOrderTest, HostMovingBetweenGroupsIsLeftBeforeItIsRegisteredAgain) {
  ResourceChange leave = Change("group.a.server.old", ResourceKind::kServer, Operation::kDeregister);
  leave.before = {{"host", "host-1"}};
  const std::vector<ResourceChange> changes = {
      Change("group.a.server.old.shadow_host", ResourceKind::kShadowHost, Operation::kDelete),
      leave,
      Change("group.b.server.new", ResourceKind::kServer, Operation::kRegister, "host-1"),
      Change("group.b.server.other", ResourceKind::kServer, Operation::kRegister, "host-2"),
  };
  const auto deps = StepDependencies(changes);
  EXPECT_THAT(deps[1], ElementsAre(0));
  EXPECT_THAT(deps[2], ElementsAre(1));
  EXPECT_THAT(deps[3], IsEmpty());
}

TEST(ApplyOrderTest, GroupRemovalWaitsForEveryStepOfTheGroup) {
  const std::vector<ResourceChange> changes = {
      Change("group.a.server.x", ResourceKind::kServer, Operation::kDeregister),
      Change("group.a.server.y", ResourceKind::kServer, Operation::kDeregister),
      Change("group.b.server.z", ResourceKind::kServer, Operation::kDeregister),
      Change("group.a.endpoint", ResourceKind::kEndpoint, Operation::kDelete),
      Change("group.a", ResourceKind::kGroup, Operation::kDelete),
  };
  const auto deps = StepDependencies(changes);
  EXPECT_THAT(deps[1], IsEmpty());
  EXPECT_THAT(deps[3], ElementsAre(0, 1));
  EXPECT_THAT(deps[4], ElementsAre(0, 1, 3));
}

TEST(ApplyOrderTest, RenameTouchesTheOldAddressToo) {
  ResourceChange rename = Change("group.new", ResourceKind::kGroup, Operation::kRename);
  rename.previous_address = "group.old";
  const std::vector<ResourceChange> changes = {
      Change("group.old.server.x", ResourceKind::kServer, Operation::kStopReplication),
      rename,
      Change("group.new.server.x", ResourceKind::kServer, Operation::kStartReplication),
  };
  const auto deps = StepDependencies(changes);
  EXPECT_THAT(deps[1], ElementsAre(0));
  EXPECT_THAT(deps[2], ElementsAre(1));
}

class ApplyOrderPlanTest : public test_util::ReconcileTest {};

// A real plan of two groups: every server depends on its own group's network only.
TEST_F(ApplyOrderPlanTest, PlannedServersOfDifferentGroupsAreIndependent) {
  const Plan plan =
      CleanPlanFor(GroupToml("web", ServerToml("web-1", "host-1") + ServerToml("web-2", "host-2")) +
                   GroupToml("db", ServerToml("db-1", "host-3") + ServerToml("db-2", "host-4")));
  const auto deps = StepDependencies(plan.changes);
  ASSERT_EQ(deps.size(), plan.changes.size());
  for (size_t i = 0; i < plan.changes.size(); ++i) {
    const ResourceChange& c = plan.changes[i];
    for (size_t d : deps[i]) {
      const ResourceChange& before = plan.changes[d];
      EXPECT_EQ(GroupOf(before.address), GroupOf(c.address)) << c.address << " waits for " << before.address;
      if (c.kind == ResourceKind::kServer)
        EXPECT_NE(before.kind, ResourceKind::kServer) << c.address << " waits for " << before.address;
    }
    if (c.kind == ResourceKind::kServer)
      EXPECT_FALSE(deps[i].empty()) << c.address << " must wait for its group";
  }
}

}  // namespace
}  // namespace cdr::reconcile
