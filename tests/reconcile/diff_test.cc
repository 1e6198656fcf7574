// Diff through MakePlan: what the plan holds for each kind of spec change, and which changes are refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reconcile/address.h"
#include "reconcile/plan.h"
#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile {
namespace {

using nlohmann::json;
using test_util::Changes;
using test_util::GroupToml;
using test_util::ServerToml;
using test_util::WebSpec;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class DiffTest : public test_util::ReconcileTest {};

TEST_F(DiffTest, FirstPlanCreatesGroupNetworkThenRegistersServers) {
  PlanResult r = PlanFor(WebSpec());
  ASSERT_TRUE(r.errors.empty()) << test_util::DiagnosticsText(r.errors);
  EXPECT_THAT(Changes(r.plan),
              ElementsAre("create/create group.web", "create/create group.web.peering",
                          "create/create group.web.endpoint", "create/register group.web.server.web-1",
                          "create/register group.web.server.web-2"));
  const ResourceChange& group = r.plan.changes[0];
  EXPECT_EQ(group.kind, ResourceKind::kGroup);
  EXPECT_TRUE(group.before.is_null());
  EXPECT_EQ(group.after, (json{{"name", "web"},
                               {"production_zone", "az1"},
                               {"dr_zone", "az2"},
                               {"vpc", "vpc-web"},
                               {"rpo_alert_seconds", 30}}));
  EXPECT_EQ(r.plan.changes[1].kind, ResourceKind::kPeering);
  EXPECT_EQ(r.plan.changes[1].after,
            (json{{"vpc", "vpc-web"}, {"production_zone", "az1"}, {"dr_zone", "az2"}}));
  EXPECT_EQ(r.plan.changes[2].kind, ResourceKind::kEndpoint);
  EXPECT_EQ(r.plan.changes[2].after, (json{{"vpc", "vpc-web"}, {"zone", "az2"}}));
  const ResourceChange& server = r.plan.changes[3];
  EXPECT_EQ(server.kind, ResourceKind::kServer);
  EXPECT_TRUE(server.before.is_null());
  EXPECT_EQ(server.after["host"], "host-1");
  EXPECT_EQ(server.after["replication"], "stopped");
  EXPECT_EQ(server.after["dr_disk_type"], "ssd");
  EXPECT_EQ(server.after["auto_restart"], true);
  EXPECT_EQ(server.after["recovery_points"], (json{{"every_hours", 1}, {"keep", 24}})) << "one interval, as written";
  EXPECT_THAT(server.reason, HasSubstr("install the agent"));
  EXPECT_TRUE(r.plan.drifted.empty());
  EXPECT_EQ(r.plan.state_serial, store_->Serial());
  EXPECT_EQ(r.plan.spec_digest, specs_.back().digest);
  EXPECT_FALSE(r.plan.spec_digest.empty());

  PlanSummary s = Summarize(r.plan);
  EXPECT_EQ(s.add, 5);
  EXPECT_EQ(s.change, 0);
  EXPECT_EQ(s.destroy, 0);
  EXPECT_EQ(s.transition, 0);
}

TEST_F(DiffTest, SummarizeCountsReplaceAsAddAndDestroy) {
  Plan plan;
  plan.changes = {
      {"a", ResourceKind::kGroup, Action::kCreate},      {"b", ResourceKind::kGroup, Action::kUpdate},
      {"c", ResourceKind::kGroup, Action::kDelete},      {"d", ResourceKind::kServer, Action::kReplace},
      {"e", ResourceKind::kServer, Action::kTransition}, {"f", ResourceKind::kServer, Action::kTransition}};
  PlanSummary s = Summarize(plan);
  EXPECT_EQ(s.add, 2);
  EXPECT_EQ(s.change, 1);
  EXPECT_EQ(s.destroy, 2);
  EXPECT_EQ(s.transition, 2);
}

TEST_F(DiffTest, SettingsChangeIsAnUpdateInPlace) {
  Converge(WebSpec());
  PlanResult r =
      PlanFor(WebSpec("rpo_alert_seconds = 90\n", "dr_disk_type = \"sas\"\nauto_restart = false\n"));
  ASSERT_TRUE(r.errors.empty()) << test_util::DiagnosticsText(r.errors);
  EXPECT_THAT(Changes(r.plan),
              ElementsAre("update/update group.web", "update/update group.web.server.web-1"));
  EXPECT_EQ(r.plan.changes[0].before["rpo_alert_seconds"], 30);
  EXPECT_EQ(r.plan.changes[0].after["rpo_alert_seconds"], 90);
  EXPECT_TRUE(r.plan.changes[0].replace_because.empty());
  EXPECT_EQ(r.plan.changes[1].before["dr_disk_type"], "ssd");
  EXPECT_EQ(r.plan.changes[1].after["dr_disk_type"], "sas");
  EXPECT_EQ(r.plan.changes[1].after["auto_restart"], false);
  EXPECT_EQ(Summarize(r.plan).change, 2);
}

TEST_F(DiffTest, HostChangeReplacesTheServer) {
  Converge(WebSpec());
  PlanResult r =
      PlanFor(test_util::GroupToml("web", ServerToml("web-1", "host-3") + ServerToml("web-2", "host-2")));
  ASSERT_TRUE(r.errors.empty()) << test_util::DiagnosticsText(r.errors);
  EXPECT_THAT(Changes(r.plan), ElementsAre("replace/reregister group.web.server.web-1"));
  EXPECT_THAT(r.plan.changes[0].replace_because, ElementsAre("host"));
  EXPECT_EQ(r.plan.changes[0].before["host"], "host-1");
  EXPECT_EQ(r.plan.changes[0].after["host"], "host-3");
}

TEST_F(DiffTest, HostChangeRefusedWhileAStepIsInFlight) {
  Converge(WebSpec());
  SetStatus("group.web.server.web-1", "replication_starting");
  agents_["host-1"].state = "replication_starting";  // the agent says so too: it is the source of this state
  agents_["host-1"].stalled = true;
  PlanResult r = PlanFor(GroupToml("web", ServerToml("web-1", "host-3") + ServerToml("web-2", "host-2")));
  ASSERT_EQ(r.errors.size(), 1u) << test_util::DiagnosticsText(r.errors);
  EXPECT_EQ(r.errors[0].path, "group.web.server.web-1.host");
  EXPECT_THAT(r.errors[0].message, HasSubstr("replication_starting"));
}

TEST_F(DiffTest, VpcChangeOfAGroupWithServersIsRefused) {
  Converge(WebSpec());
  // Keep the hosts valid for the new VPC so the only complaint is about the group.
  fake_.AddHost("host-1", "az1", "vpc-new");
  fake_.AddHost("host-2", "az1", "vpc-new");
  const std::string toml =
      GroupToml("web", ServerToml("web-1", "host-1") + ServerToml("web-2", "host-2"), "vpc-new");
  PlanResult r = PlanFor(toml);
  ASSERT_EQ(r.errors.size(), 1u) << test_util::DiagnosticsText(r.errors);
  const specs::Diagnostic& d = r.errors[0];
  EXPECT_EQ(d.path, "group.web");
  EXPECT_EQ(d.pos.file, "test.toml");
  EXPECT_EQ(d.pos.line, 1);  // the [[group]] header
  EXPECT_THAT(d.message, HasSubstr("changing vpc replaces the group, which still has protected servers"));
  EXPECT_THAT(d.message, HasSubstr("deregister them first"));
}

TEST_F(DiffTest, VpcChangeOfAGroupWithoutServersReplacesGroupAndNetwork) {
  Converge(GroupToml("web"));
  PlanResult r = PlanFor(GroupToml("web", "", "vpc-new"));
  ASSERT_TRUE(r.errors.empty()) << test_util::DiagnosticsText(r.errors);
  EXPECT_THAT(Changes(r.plan), ElementsAre("replace/replace group.web", "replace/replace group.web.peering",
                                           "replace/replace group.web.endpoint"));
  for (const auto& c : r.plan.changes) {
    EXPECT_THAT(c.replace_because, ElementsAre("vpc")) << c.address;
    EXPECT_EQ(c.before["vpc"], "vpc-web") << c.address;
    EXPECT_EQ(c.after["vpc"], "vpc-new") << c.address;
  }
  PlanSummary s = Summarize(r.plan);
  EXPECT_EQ(s.add, 3);
  EXPECT_EQ(s.destroy, 3);
}

TEST_F(DiffTest, RemovedServerIsDeregistered) {
  Converge(WebSpec());
  PlanResult r = PlanFor(GroupToml("web", ServerToml("web-1", "host-1")));
  ASSERT_TRUE(r.errors.empty()) << test_util::DiagnosticsText(r.errors);
  EXPECT_THAT(Changes(r.plan), ElementsAre("delete/deregister group.web.server.web-2"));
  EXPECT_EQ(r.plan.changes[0].before["host"], "host-2");
  EXPECT_TRUE(r.plan.changes[0].after.is_null());
  EXPECT_EQ(Summarize(r.plan).destroy, 1);
}

TEST_F(DiffTest, RemovedServerInAnIntermediateStateIsAnError) {
  Converge(WebSpec());
  SetStatus("group.web.server.web-2", "full_sync_stopping");
  agents_["host-2"].state = "full_sync_stopping";
  agents_["host-2"].stalled = true;
  PlanResult r = PlanFor(GroupToml("web", ServerToml("web-1", "host-1")));
  ASSERT_EQ(r.errors.size(), 1u) << test_util::DiagnosticsText(r.errors);
  EXPECT_EQ(r.errors[0].path, "group.web.server.web-2");
  EXPECT_THAT(r.errors[0].message, HasSubstr("cannot deregister while the server is full_sync_stopping"));
  for (const auto& c : r.plan.changes) EXPECT_NE(c.address, "group.web.server.web-2");
}

// An apply killed after writing "deregistering" is resumed: nothing is in flight while we hold the lock.
TEST_F(DiffTest, InterruptedDeregisterIsResumed) {
  Converge(WebSpec());
  SetStatus("group.web.server.web-2", "deregistering");
  PlanResult r = PlanFor(GroupToml("web", ServerToml("web-1", "host-1")));
  EXPECT_TRUE(r.errors.empty()) << test_util::DiagnosticsText(r.errors);
  EXPECT_THAT(Changes(r.plan), ElementsAre("delete/deregister group.web.server.web-2"));
}

TEST_F(DiffTest, InterruptedAgentInstallOfARemovedServerIsDeregistered) {
  Converge(WebSpec());
  SetStatus("group.web.server.web-2", "agent_installing");
  PlanResult r = PlanFor(GroupToml("web", ServerToml("web-1", "host-1")));
  EXPECT_TRUE(r.errors.empty()) << test_util::DiagnosticsText(r.errors);
  EXPECT_THAT(Changes(r.plan), ElementsAre("delete/deregister group.web.server.web-2"));
}

// failing_over is a step in flight although its name does not end in "ing": no deregister then.
TEST_F(DiffTest, RemovedServerFailingOverIsAnError) {
  Converge(WebSpec());
  SetStatus("group.web.server.web-2", "failing_over");
  PlanResult r = PlanFor(GroupToml("web", ServerToml("web-1", "host-1")));
  ASSERT_EQ(r.errors.size(), 1u) << ::testing::PrintToString(Changes(r.plan));
  EXPECT_THAT(r.errors[0].message, HasSubstr("failing_over"));
}

TEST_F(DiffTest, RemovedGroupWithServersIsRefused) {
  Converge(WebSpec() + GroupToml("db"));
  PlanResult r = PlanFor(GroupToml("db"));
  ASSERT_EQ(r.errors.size(), 1u) << test_util::DiagnosticsText(r.errors);
  EXPECT_EQ(r.errors[0].path, "group.web");
  EXPECT_THAT(r.errors[0].message, HasSubstr("cannot delete protection group web"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("still has 2 protected server(s) (web-1: initialized, web-2: initialized)"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("deregister them first"));
  EXPECT_TRUE(r.plan.changes.empty()) << ::testing::PrintToString(Changes(r.plan));
}

TEST_F(DiffTest, RemovedEmptyGroupDeletesEndpointPeeringThenGroup) {
  Converge(GroupToml("web") + GroupToml("db"));
  PlanResult r = PlanFor(GroupToml("db"));
  ASSERT_TRUE(r.errors.empty()) << test_util::DiagnosticsText(r.errors);
  EXPECT_THAT(Changes(r.plan), ElementsAre("delete/delete group.web.endpoint",
                                           "delete/delete group.web.peering", "delete/delete group.web"));
  EXPECT_EQ(r.plan.changes[1].before["vpc"], "vpc-web");
  EXPECT_EQ(Summarize(r.plan).destroy, 3);
}

TEST_F(DiffTest, InterruptedCreateIsPlannedAsCreateAndInterruptedDeleteAsReplace) {
  Converge(GroupToml("web"));
  SetStatus("group.web.peering", "creating");
  SetStatus("group.web.endpoint", "deleting");
  PlanResult r = PlanFor(GroupToml("web"));
  ASSERT_TRUE(r.errors.empty()) << test_util::DiagnosticsText(r.errors);
  EXPECT_THAT(Changes(r.plan),
              ElementsAre("create/create group.web.peering", "replace/replace group.web.endpoint"));
  EXPECT_THAT(r.plan.changes[0].reason, HasSubstr("interrupted create"));
  EXPECT_THAT(r.plan.changes[1].reason, HasSubstr("delete was interrupted"));
  EXPECT_TRUE(r.plan.drifted.empty());
}

}  // namespace
}  // namespace cdr::reconcile
