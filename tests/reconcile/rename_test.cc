// Renaming a group in place with `renamed_from`: the state moves, nothing in the cloud is touched.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile {
namespace {

using test_util::Changes;
using test_util::GroupToml;
using test_util::ServerToml;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class RenameTest : public test_util::ReconcileBackendsTest {
 protected:
  static std::string Servers() { return ServerToml("web-1", "host-1") + ServerToml("web-2", "host-2"); }
  static std::string Renamed(const std::string& extra = "") {
    return GroupToml("web-prod", "renamed_from = \"web\"\n" + extra + Servers());
  }
};

TEST_P(RenameTest, RenameIsOneUpdateFirstInThePlan) {
  Converge(GroupToml("web", Servers()) + GroupToml("db"));
  // db comes first in the spec, yet its update must come after the rename.
  PlanResult r = PlanFor(GroupToml("db", "rpo_alert_seconds = 45\n") + Renamed());
  ASSERT_TRUE(r.errors.empty()) << test_util::DiagnosticsText(r.errors);
  ASSERT_THAT(Changes(r.plan), ElementsAre("update/rename group.web-prod", "update/update group.db"));
  const ResourceChange& c = r.plan.changes[0];
  EXPECT_EQ(c.kind, ResourceKind::kGroup);
  EXPECT_EQ(c.previous_address, "group.web");
  EXPECT_EQ(c.before["name"], "web");
  EXPECT_EQ(c.after["name"], "web-prod");
  EXPECT_THAT(c.reason, HasSubstr("renamed from web"));
}

TEST_P(RenameTest, ApplyMovesTheGroupAndItsChildren) {
  Converge(GroupToml("web", Servers()));
  const std::string peering = Record("group.web.peering").provider_id;
  EXPECT_EQ(ApplyPlan(CleanPlanFor(Renamed())).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre());
  EXPECT_THAT(Addresses(), ElementsAre("group.web-prod", "group.web-prod.endpoint", "group.web-prod.peering",
                                       "group.web-prod.server.web-1", "group.web-prod.server.web-2"));
  EXPECT_EQ(Record("group.web-prod").attributes["name"], "web-prod");
  EXPECT_EQ(Record("group.web-prod").status, "created");
  EXPECT_EQ(Record("group.web-prod.peering").provider_id, peering);
  EXPECT_EQ(Record("group.web-prod.server.web-1").status, "initialized");

  PlanResult again = PlanFor(Renamed());
  EXPECT_TRUE(again.errors.empty()) << test_util::DiagnosticsText(again.errors);
  EXPECT_THAT(Changes(again.plan), ElementsAre());
  EXPECT_TRUE(again.plan.drifted.empty());
}

TEST_P(RenameTest, RenameCarriesOtherSettingChanges) {
  Converge(GroupToml("web", Servers()));
  const std::string toml = Renamed("rpo_alert_seconds = 120\n");
  PlanResult r = PlanFor(toml);
  ASSERT_THAT(Changes(r.plan), ElementsAre("update/rename group.web-prod"));
  EXPECT_EQ(ApplyPlan(r.plan).Failed(), 0);
  EXPECT_EQ(Record("group.web-prod").attributes["rpo_alert_seconds"], 120);
  EXPECT_THAT(Changes(CleanPlanFor(toml)), ElementsAre());
}

TEST_P(RenameTest, RemovingAServerWhileRenamingDeregistersAtTheNewAddress) {
  Converge(GroupToml("web", Servers()));
  const std::string toml = GroupToml("web-prod", "renamed_from = \"web\"\n" + ServerToml("web-1", "host-1"));
  Plan plan = CleanPlanFor(toml);
  ASSERT_THAT(Changes(plan),
              ElementsAre("update/rename group.web-prod", "delete/deregister group.web-prod.server.web-2"));
  EXPECT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre("delete agent host-2"));
  EXPECT_FALSE(store_->Get("group.web-prod.server.web-2").has_value());
  EXPECT_FALSE(store_->Get("group.web.server.web-2").has_value());
}

// A rename must not smuggle a replacing change (dr_zone) past the protected-servers check.
TEST_P(RenameTest, RenameWithAReplacingChangeStillChecksTheServers) {
  Converge(GroupToml("web", Servers()));
  PlanResult r = PlanFor(GroupToml("web-prod", "renamed_from = \"web\"\n" + Servers(), "vpc-web", "az3"));
  ASSERT_EQ(r.errors.size(), 1u) << test_util::DiagnosticsText(r.errors)
                                 << ::testing::PrintToString(Changes(r.plan));
  EXPECT_EQ(r.errors[0].path, "group.web-prod");
  EXPECT_THAT(r.errors[0].message, HasSubstr("changing dr_zone replaces the group"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("protected servers deregistered first"));
}

TEST_P(RenameTest, RenameWithAReplacingChangeOfAnEmptyGroupAsksForTwoApplies) {
  Converge(GroupToml("web"));
  PlanResult r = PlanFor(GroupToml("web-prod", "renamed_from = \"web\"\n", "vpc-web", "az3"));
  ASSERT_EQ(r.errors.size(), 1u) << test_util::DiagnosticsText(r.errors);
  EXPECT_EQ(r.errors[0].path, "group.web-prod");
  EXPECT_EQ(r.errors[0].pos.line, 1);
  EXPECT_THAT(r.errors[0].message, HasSubstr("cannot be combined with a rename"));
}

// A server renamed with `renamed_from`: its record and shadow host move, the replicating agent and the shadow
// host in the cloud are not touched, so nothing is synced again and the recovery points stay.
TEST_P(RenameTest, RenamedServerKeepsItsAgentAndReplication) {
  const std::string running = "replication = \"running\"\n";
  Converge(GroupToml("web", ServerToml("web-1", "host-1", running) + ServerToml("web-2", "host-2", running)));
  const state::ResourceRecord shadow = Record("group.web.server.web-1.shadow_host");
  const size_t commands = agents_["host-1"].commands.size();
  const std::string renamed =
      GroupToml("web", ServerToml("app-1", "host-1", "renamed_from = \"web-1\"\n" + running) +
                           ServerToml("web-2", "host-2", running));
  Plan plan = CleanPlanFor(renamed);
  ASSERT_THAT(Changes(plan), ElementsAre("update/rename group.web.server.app-1"));
  EXPECT_EQ(plan.changes[0].previous_address, "group.web.server.web-1");
  EXPECT_EQ(plan.changes[0].before["name"], "web-1");
  EXPECT_EQ(plan.changes[0].after["name"], "app-1");

  EXPECT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre());
  EXPECT_EQ(agents_["host-1"].commands.size(), commands);  // no stop, no start, no resync
  EXPECT_FALSE(store_->Get("group.web.server.web-1").has_value());
  const state::ResourceRecord server = Record("group.web.server.app-1");
  EXPECT_EQ(server.status, "realtime");
  EXPECT_EQ(server.attributes["name"], "app-1");
  EXPECT_EQ(server.provider_id, "host-1");
  const state::ResourceRecord moved = Record("group.web.server.app-1.shadow_host");
  EXPECT_EQ(moved.provider_id, shadow.provider_id);
  EXPECT_EQ(moved.attributes, shadow.attributes);
  EXPECT_THAT(Changes(CleanPlanFor(renamed)), ElementsAre());
}

TEST_P(RenameTest, ServerRenamedInARenamedGroupMovesAfterTheGroup) {
  Converge(GroupToml("web", Servers()));
  const std::string toml = GroupToml(
      "web-prod", "renamed_from = \"web\"\n" + ServerToml("app-1", "host-1", "renamed_from = \"web-1\"\n") +
                      ServerToml("web-2", "host-2"));
  Plan plan = CleanPlanFor(toml);
  ASSERT_THAT(Changes(plan),
              ElementsAre("update/rename group.web-prod", "update/rename group.web-prod.server.app-1"));
  EXPECT_EQ(plan.changes[1].previous_address, "group.web-prod.server.web-1");
  EXPECT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre());
  EXPECT_THAT(Addresses(), ElementsAre("group.web-prod", "group.web-prod.endpoint", "group.web-prod.peering",
                                       "group.web-prod.server.app-1", "group.web-prod.server.web-2"));
  EXPECT_THAT(Changes(CleanPlanFor(toml)), ElementsAre());
}

// Once renamed, the old name in renamed_from matches nothing: the next plans are no-ops, not a second move.
TEST_P(RenameTest, ServerRenameLeftInTheSpecIsANoOpAfterwards) {
  Converge(GroupToml("web", Servers()));
  const std::string toml = GroupToml(
      "web", ServerToml("app-1", "host-1", "renamed_from = \"web-1\"\n") + ServerToml("web-2", "host-2"));
  Converge(toml);
  EXPECT_THAT(Changes(CleanPlanFor(toml)), ElementsAre());
  EXPECT_EQ(Record("group.web.server.app-1").status, "initialized");
}

INSTANTIATE_TEST_SUITE_P(Backends, RenameTest, CDR_STATE_BACKENDS);

}  // namespace
}  // namespace cdr::reconcile
