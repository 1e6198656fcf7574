// Refresh finds what changed outside cdr; the plan repairs it (or refuses) and the refresh-only plan reports
// it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reconcile/drift_report.h"
#include "reconcile/refresh.h"
#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile {
namespace {

using test_util::Changes;
using test_util::GroupToml;
using test_util::ServerToml;
using test_util::WebSpec;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class DriftTest : public test_util::ReconcileBackendsTest {
 protected:
  void SetUp() override {
    ReconcileBackendsTest::SetUp();
    Converge(WebSpec());
  }
};

TEST_P(DriftTest, DeletedPeeringIsDriftAndIsCreatedAgain) {
  const std::string id = Record("group.web.peering").provider_id;
  fake_.RemovePeeringOutOfBand(id);
  PlanResult r = PlanFor(WebSpec());
  ASSERT_TRUE(r.errors.empty()) << test_util::DiagnosticsText(r.errors);
  ASSERT_EQ(r.plan.drifted.size(), 1u);
  EXPECT_EQ(r.plan.drifted[0].address, "group.web.peering");
  EXPECT_EQ(r.plan.drifted[0].kind, ResourceKind::kPeering);
  EXPECT_EQ(r.plan.drifted[0].problem, "deleted");
  EXPECT_THAT(r.plan.drifted[0].detail, HasSubstr(id));
  ASSERT_THAT(Changes(r.plan), ElementsAre("create/create group.web.peering"));
  EXPECT_TRUE(r.plan.changes[0].before.is_null());

  EXPECT_EQ(ApplyPlan(r.plan).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre("create peering cdr-web"));
  ASSERT_EQ(fake_.peerings().size(), 1u);
  EXPECT_EQ(Record("group.web.peering").provider_id, fake_.peerings().begin()->first);
  EXPECT_NE(Record("group.web.peering").provider_id, id);
  PlanResult again = PlanFor(WebSpec());
  EXPECT_THAT(Changes(again.plan), ElementsAre());
  EXPECT_TRUE(again.plan.drifted.empty());
}

TEST_P(DriftTest, DeletedEndpointIsDriftAndIsCreatedAgain) {
  fake_.RemoveEndpointOutOfBand(Record("group.web.endpoint").provider_id);
  PlanResult r = PlanFor(WebSpec());
  ASSERT_EQ(r.plan.drifted.size(), 1u);
  EXPECT_EQ(r.plan.drifted[0].problem, "deleted");
  EXPECT_THAT(Changes(r.plan), ElementsAre("create/create group.web.endpoint"));
}

TEST_P(DriftTest, MissingAgentIsDriftAndARegisterTransition) {
  fake_.RemoveAgentOutOfBand("host-1");
  PlanResult r = PlanFor(WebSpec());
  ASSERT_TRUE(r.errors.empty()) << test_util::DiagnosticsText(r.errors);
  ASSERT_EQ(r.plan.drifted.size(), 1u);
  EXPECT_EQ(r.plan.drifted[0].address, "group.web.server.web-1");
  EXPECT_EQ(r.plan.drifted[0].problem, "agent_missing");
  ASSERT_THAT(Changes(r.plan), ElementsAre("transition/register group.web.server.web-1"));
  EXPECT_THAT(r.plan.changes[0].reason, HasSubstr("removed outside cdr"));

  EXPECT_EQ(ApplyPlan(r.plan).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre("create agent host-1"));
  EXPECT_TRUE(fake_.agents().count("host-1"));
  EXPECT_THAT(Changes(CleanPlanFor(WebSpec())), ElementsAre());
}

TEST_P(DriftTest, GoneHostIsDriftAndAnErrorAtTheHostValue) {
  fake_.RemoveHost("host-1");
  PlanResult r = PlanFor(WebSpec());
  ASSERT_EQ(r.plan.drifted.size(), 1u);
  EXPECT_EQ(r.plan.drifted[0].address, "group.web.server.web-1");
  EXPECT_EQ(r.plan.drifted[0].problem, "host_gone");
  // One diagnostic (the drift's), not a second "does not exist" from the host rules.
  ASSERT_EQ(r.errors.size(), 1u) << test_util::DiagnosticsText(r.errors);
  const specs::Diagnostic& d = r.errors[0];
  EXPECT_EQ(d.path, "group.web.server.web-1.host");
  EXPECT_EQ(d.pos.file, "test.toml");
  EXPECT_EQ(d.pos.line, 8);  // host = "host-1" in WebSpec()
  EXPECT_EQ(d.pos.column, 8);
  EXPECT_THAT(d.message, HasSubstr("host host-1 no longer exists in the provider"));
  EXPECT_THAT(d.message, HasSubstr("remove the server from the spec"));
}

TEST_P(DriftTest, ServerOfAGoneHostCanBeDeregistered) {
  fake_.RemoveHost("host-1");
  const std::string toml = test_util::GroupToml("web", test_util::ServerToml("web-2", "host-2"));
  Plan plan = CleanPlanFor(toml);
  ASSERT_THAT(Changes(plan), ElementsAre("delete/deregister group.web.server.web-1"));
  EXPECT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_FALSE(store_->Get("group.web.server.web-1").has_value());
  PlanResult again = PlanFor(toml);
  EXPECT_THAT(Changes(again.plan), ElementsAre());
  EXPECT_TRUE(again.plan.drifted.empty());
}

TEST_P(DriftTest, ReportListsObservedDriftOnceAndMakesNoChanges) {
  fake_.RemovePeeringOutOfBand(Record("group.web.peering").provider_id);
  fake_.RemoveAgentOutOfBand("host-2");
  auto report = MakeDriftReport({specs_.back(), "specs", "abc"}, *store_, fake_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  // The re-create and the reinstall the plan would make are the drift itself, not extra items.
  ASSERT_EQ(report->items.size(), 2u);
  EXPECT_EQ(report->items[0].address, "group.web.peering");
  EXPECT_EQ(report->items[0].problem, "deleted");
  EXPECT_EQ(report->items[1].address, "group.web.server.web-2");
  EXPECT_EQ(report->items[1].problem, "agent_missing");
  EXPECT_EQ(report->state_serial, store_->Serial());
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre());

  nlohmann::json j = DriftToJson(*report);
  EXPECT_EQ(j["drift_detected"], true);
  EXPECT_EQ(j["resources_checked"], 4);  // peering, endpoint, two servers: groups have nothing to compare
  EXPECT_EQ(j["spec_commit"], "abc");
  EXPECT_EQ(j["drifted"].size(), 2u);
  std::string md = RenderDriftMarkdown(*report);
  EXPECT_THAT(md, HasSubstr("- drifted: 2"));
  EXPECT_THAT(md, HasSubstr("| `group.web.peering` | peering | deleted |"));
}

TEST_P(DriftTest, ReportWithoutDrift) {
  auto report = MakeDriftReport({specs_.back(), "specs", ""}, *store_, fake_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->items.empty());
  EXPECT_EQ(DriftToJson(*report)["drift_detected"], false);
  EXPECT_THAT(RenderDriftMarkdown(*report), HasSubstr("No drift"));
}

TEST_P(DriftTest, ASpecThatCannotBeAppliedIsAPlanErrorNotAPendingChange) {
  const std::string toml = GroupToml("web", ServerToml("web-1", "host-1") + ServerToml("web-2", "host-2") +
                                                ServerToml("ghost", "host-99"));
  auto loaded = specs::LoadSpecDocuments({{"test.toml", toml}});
  ASSERT_TRUE(loaded.diagnostics.empty());
  auto report = MakeDriftReport({loaded.spec, "specs", ""}, *store_, fake_);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->items.size(), 1u);
  EXPECT_EQ(report->items[0].address, "group.web.server.ghost.host");
  EXPECT_EQ(report->items[0].kind, ResourceKind::kServer);
  EXPECT_EQ(report->items[0].problem, "plan_error");
  EXPECT_THAT(report->items[0].detail, HasSubstr("host `host-99` does not exist"));
}

TEST_P(DriftTest, ReportHasUnappliedSpecChangesAndUnhealthyServers) {
  SetStatus("group.web.server.web-1", "replication_error");
  auto web2 = Record("group.web.server.web-2");
  web2.status = "realtime";
  web2.attributes["rpo_seconds"] = 95.0;
  ASSERT_TRUE(store_->Put(web2).ok());
  const std::string toml = GroupToml("web", ServerToml("web-1", "host-1") + ServerToml("web-2", "host-2") +
                                                ServerToml("web-3", "host-3"));
  auto loaded = specs::LoadSpecDocuments({{"test.toml", toml}});
  ASSERT_TRUE(loaded.diagnostics.empty());
  auto report = MakeDriftReport({loaded.spec, "specs", ""}, *store_, fake_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::vector<std::string> problems;
  for (const auto& i : report->items) problems.push_back(i.address + " " + i.problem);
  EXPECT_THAT(problems, ElementsAre("group.web.server.web-1 replication_error", "group.web.server.web-2 rpo_high",
                                    "group.web.server.web-3 not_applied"));
  EXPECT_THAT(report->items[1].detail, HasSubstr("RPO 95.0 s is above the group's alert threshold"));
}

TEST_P(DriftTest, AReplicaTheOnlineVerifyFoundDifferentIsReportedEvenWithoutItsTime) {
  for (const char* name : {"web-1", "web-2"}) {
    auto r = Record(std::string("group.web.server.") + name);
    r.status = "realtime";
    r.attributes["observed"]["online_verify"] = {{"outcome", "differs"},
                                                 {"disk", "vda"},
                                                 {"reason", "1 block(s) differ in [0, +1048576)"},
                                                 {"finished_at", nullptr}};
    if (std::string(name) == "web-2") r.attributes["observed"]["online_verify"]["finished_at"] = "2026-12-07T05:00:00Z";
    ASSERT_TRUE(store_->Put(r).ok());
  }
  const std::string toml = GroupToml("web", ServerToml("web-1", "host-1") + ServerToml("web-2", "host-2"));
  auto loaded = specs::LoadSpecDocuments({{"test.toml", toml}});
  ASSERT_TRUE(loaded.diagnostics.empty());
  auto report = MakeDriftReport({loaded.spec, "specs", ""}, *store_, fake_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->items.size(), 2u);
  EXPECT_EQ(report->items[0].problem, "replica_differs");
  EXPECT_THAT(report->items[0].detail, HasSubstr("of an unknown time found the replica of vda different"));
  EXPECT_THAT(report->items[1].detail, HasSubstr("of 2026-12-07T05:00:00Z found"));
}

TEST_P(DriftTest, ProviderOutageFailsThePlanInsteadOfReportingDrift) {
  fake_.FailOn("read peering", Unavailable("api timeout"));
  auto plan = MakePlan(specs_.back(), *store_, fake_);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(plan.status().message(), HasSubstr("api timeout"));
}

TEST_P(DriftTest, InFlightResourcesAreNotDrift) {
  fake_.RemovePeeringOutOfBand(Record("group.web.peering").provider_id);
  SetStatus("group.web.peering", "creating");
  auto observed = Refresh(fake_, store_->Resources(), {"host-1", "host-2"});
  ASSERT_TRUE(observed.ok());
  EXPECT_TRUE(observed->drift.empty());
  EXPECT_EQ(observed->hosts.size(), 2u);
  EXPECT_EQ(observed->hosts.at("host-1").vcpus, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, DriftTest, CDR_STATE_BACKENDS);

}  // namespace
}  // namespace cdr::reconcile
