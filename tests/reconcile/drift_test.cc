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
using test_util::WebSpec;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class DriftTest : public test_util::ReconcileTest {
 protected:
  void SetUp() override {
    ReconcileTest::SetUp();
    Converge(WebSpec());
  }
};

TEST_F(DriftTest, DeletedPeeringIsDriftAndIsCreatedAgain) {
  const std::string id = Record("group.web.peering").provider_id;
  fake_.RemovePeeringOutOfBand(id);
  PlanResult r = PlanFor(WebSpec());
  ASSERT_TRUE(r.errors.empty()) << test_util::DiagnosticsText(r.errors);
  ASSERT_EQ(r.plan.drifted.size(), 1u);
  EXPECT_EQ(r.plan.drifted[0].address, "group.web.peering");
  EXPECT_EQ(r.plan.drifted[0].kind, "peering");
  EXPECT_EQ(r.plan.drifted[0].problem, "deleted");
  EXPECT_THAT(r.plan.drifted[0].detail, HasSubstr(id));
  ASSERT_THAT(Changes(r.plan), ElementsAre("create/create group.web.peering"));
  EXPECT_TRUE(r.plan.changes[0].before.is_null());

  EXPECT_EQ(ApplyPlan(r.plan).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre("CreatePeering cdr-web"));
  ASSERT_EQ(fake_.peerings().size(), 1u);
  EXPECT_EQ(Record("group.web.peering").provider_id, fake_.peerings().begin()->first);
  EXPECT_NE(Record("group.web.peering").provider_id, id);
  PlanResult again = PlanFor(WebSpec());
  EXPECT_THAT(Changes(again.plan), ElementsAre());
  EXPECT_TRUE(again.plan.drifted.empty());
}

TEST_F(DriftTest, DeletedEndpointIsDriftAndIsCreatedAgain) {
  fake_.RemoveEndpointOutOfBand(Record("group.web.endpoint").provider_id);
  PlanResult r = PlanFor(WebSpec());
  ASSERT_EQ(r.plan.drifted.size(), 1u);
  EXPECT_EQ(r.plan.drifted[0].problem, "deleted");
  EXPECT_THAT(Changes(r.plan), ElementsAre("create/create group.web.endpoint"));
}

TEST_F(DriftTest, MissingAgentIsDriftAndARegisterTransition) {
  fake_.RemoveAgentOutOfBand("host-1");
  PlanResult r = PlanFor(WebSpec());
  ASSERT_TRUE(r.errors.empty()) << test_util::DiagnosticsText(r.errors);
  ASSERT_EQ(r.plan.drifted.size(), 1u);
  EXPECT_EQ(r.plan.drifted[0].address, "group.web.server.web-1");
  EXPECT_EQ(r.plan.drifted[0].problem, "agent_missing");
  ASSERT_THAT(Changes(r.plan), ElementsAre("transition/register group.web.server.web-1"));
  EXPECT_THAT(r.plan.changes[0].reason, HasSubstr("removed outside cdr"));

  EXPECT_EQ(ApplyPlan(r.plan).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre("InstallAgent host-1"));
  EXPECT_TRUE(fake_.agents().count("host-1"));
  EXPECT_THAT(Changes(CleanPlanFor(WebSpec())), ElementsAre());
}

TEST_F(DriftTest, GoneHostIsDriftAndAnErrorAtTheHostValue) {
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

TEST_F(DriftTest, ServerOfAGoneHostCanBeDeregistered) {
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

TEST_F(DriftTest, RefreshOnlyPlanReportsDriftWithoutChanges) {
  fake_.RemovePeeringOutOfBand(Record("group.web.peering").provider_id);
  fake_.RemoveAgentOutOfBand("host-2");
  auto plan = MakeRefreshOnlyPlan(specs_.back(), *store_, fake_);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_FALSE(plan->HasChanges());
  ASSERT_EQ(plan->drifted.size(), 2u);
  EXPECT_EQ(plan->drifted[0].address, "group.web.peering");
  EXPECT_EQ(plan->drifted[0].problem, "deleted");
  EXPECT_EQ(plan->drifted[1].address, "group.web.server.web-2");
  EXPECT_EQ(plan->drifted[1].problem, "agent_missing");
  EXPECT_EQ(plan->state_serial, store_->Serial());
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre());

  nlohmann::json j = DriftToJson(*plan, 5);
  EXPECT_EQ(j["drift_detected"], true);
  EXPECT_EQ(j["resources_checked"], 5);
  EXPECT_EQ(j["drifted"].size(), 2u);
  std::string md = RenderDriftMarkdown(*plan, 5);
  EXPECT_THAT(md, HasSubstr("- drifted: 2"));
  EXPECT_THAT(md, HasSubstr("| `group.web.peering` | peering | deleted |"));
}

TEST_F(DriftTest, RefreshOnlyPlanWithoutDrift) {
  auto plan = MakeRefreshOnlyPlan(specs_.back(), *store_, fake_);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->drifted.empty());
  EXPECT_FALSE(plan->HasChanges());
  EXPECT_EQ(DriftToJson(*plan, 5)["drift_detected"], false);
  EXPECT_THAT(RenderDriftMarkdown(*plan, 5), HasSubstr("No drift"));
}

TEST_F(DriftTest, ProviderOutageFailsThePlanInsteadOfReportingDrift) {
  fake_.FailOn("DescribePeering", Unavailable("api timeout"));
  auto plan = MakePlan(specs_.back(), *store_, fake_);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(plan.status().message(), HasSubstr("api timeout"));
}

TEST_F(DriftTest, InFlightResourcesAreNotDrift) {
  fake_.RemovePeeringOutOfBand(Record("group.web.peering").provider_id);
  SetStatus("group.web.peering", "creating");
  auto observed = Refresh(fake_, store_->Resources(), {"host-1", "host-2"});
  ASSERT_TRUE(observed.ok());
  EXPECT_TRUE(observed->drift.empty());
  EXPECT_EQ(observed->hosts.size(), 2u);
  EXPECT_EQ(observed->hosts.at("host-1").vcpus, 2);
}

}  // namespace
}  // namespace cdr::reconcile
