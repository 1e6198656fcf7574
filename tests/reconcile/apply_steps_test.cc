// Apply: failing delete and deregister steps, steps re-checked against the state, progress report, lock
// renewal.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "providers/types/peering.h"
#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile {
namespace {

using test_util::Changes;
using test_util::GroupToml;
using test_util::ServerToml;
using test_util::WebSpec;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ApplyStepsTest : public test_util::ReconcileBackendsTest {};

TEST_P(ApplyStepsTest, EndpointDeleteFailureKeepsPeeringAndGroupThenRetries) {
  Converge(GroupToml("web") + GroupToml("db"));
  const std::string toml = GroupToml("db");
  Plan plan = CleanPlanFor(toml);
  fake_.FailOn("delete endpoint", Unavailable("endpoint busy"));
  ApplyResult result = ApplyPlan(plan);
  ASSERT_EQ(result.steps.size(), 3u);
  EXPECT_FALSE(result.steps[0].ok);
  EXPECT_TRUE(result.steps[1].skipped);
  EXPECT_TRUE(result.steps[2].skipped);
  EXPECT_EQ(Record("group.web.endpoint").status, "deleting");
  EXPECT_EQ(Record("group.web.peering").status, "created");
  EXPECT_EQ(Record("group.web").status, "created");
  EXPECT_EQ(fake_.peerings().size(), 2u);

  fake_.ClearHooks();
  Plan retry = CleanPlanFor(toml);
  ASSERT_THAT(Changes(retry), ElementsAre("delete/delete group.web.endpoint",
                                          "delete/delete group.web.peering", "delete/delete group.web"));
  EXPECT_EQ(ApplyPlan(retry).Failed(), 0);
  EXPECT_THAT(Addresses(), ElementsAre("group.db", "group.db.endpoint", "group.db.peering"));
  EXPECT_EQ(fake_.endpoints().size(), 1u);
}

TEST_P(ApplyStepsTest, DeregisterFailureLeavesTheServerDeregistering) {
  Converge(WebSpec());
  fake_.FailOn("delete agent", Unavailable("host unreachable"));
  ApplyResult result = ApplyPlan(CleanPlanFor(GroupToml("web", ServerToml("web-1", "host-1"))));
  ASSERT_EQ(result.steps.size(), 1u);
  EXPECT_FALSE(result.steps[0].ok);
  EXPECT_THAT(result.steps[0].error, HasSubstr("host unreachable"));
  EXPECT_EQ(Record("group.web.server.web-2").status, "deregistering");
  EXPECT_TRUE(fake_.agents().count("host-2"));
}

// After a failed deregister the server stays "deregistering"; the next plan retries it.
TEST_P(ApplyStepsTest, FailedDeregisterIsRetriedByTheNextPlan) {
  Converge(WebSpec());
  const std::string toml = GroupToml("web", ServerToml("web-1", "host-1"));
  fake_.FailOn("delete agent", Unavailable("host unreachable"));
  ApplyPlan(CleanPlanFor(toml));
  fake_.ClearHooks();
  PlanResult retry = PlanFor(toml);
  EXPECT_TRUE(retry.errors.empty()) << test_util::DiagnosticsText(retry.errors);
  ASSERT_THAT(Changes(retry.plan), ElementsAre("delete/deregister group.web.server.web-2"));
  EXPECT_EQ(ApplyPlan(retry.plan).Failed(), 0);
  EXPECT_FALSE(store_->Get("group.web.server.web-2").has_value());
}

// The same through a host change: the replace's deregister half failed; the next plan retries the replace.
TEST_P(ApplyStepsTest, FailedReregisterIsRetriedByTheNextPlan) {
  Converge(WebSpec());
  const std::string toml = GroupToml("web", ServerToml("web-1", "host-3") + ServerToml("web-2", "host-2"));
  fake_.FailOn("delete agent", Unavailable("host unreachable"));
  ApplyPlan(CleanPlanFor(toml));
  fake_.ClearHooks();
  PlanResult retry = PlanFor(toml);
  EXPECT_TRUE(retry.errors.empty()) << test_util::DiagnosticsText(retry.errors);
  EXPECT_THAT(Changes(retry.plan), ElementsAre("replace/reregister group.web.server.web-1"));
}

TEST_P(ApplyStepsTest, ReregisterWhoseInstallFailsLeavesTheNewHostInstallFailed) {
  Converge(WebSpec());
  const std::string toml = GroupToml("web", ServerToml("web-1", "host-3") + ServerToml("web-2", "host-2"));
  fake_.FailOn("create agent", Internal("no route"), "host-3");
  ApplyResult result = ApplyPlan(CleanPlanFor(toml));
  EXPECT_EQ(result.Failed(), 1);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre("delete agent host-1", "create agent host-3"));
  state::ResourceRecord s = Record("group.web.server.web-1");
  EXPECT_EQ(s.status, "agent_install_failed");
  EXPECT_EQ(s.attributes["host"], "host-3");
  fake_.ClearHooks();
  Plan retry = CleanPlanFor(toml);
  EXPECT_THAT(Changes(retry), ElementsAre("transition/register group.web.server.web-1"));
}

// A create interrupted after the cloud made the object (response lost, process killed) leaves a "creating"
// record without a provider id; deleting it must find the object by its client token, not leak it.
TEST_P(ApplyStepsTest, DeletingAnInterruptedCreateDoesNotLeakTheCloudObject) {
  Converge(GroupToml("db"));
  const std::string toml = GroupToml("web") + GroupToml("db");
  fake_.FailOn("create peering", Unavailable("response lost"), "cdr-web");
  ApplyPlan(CleanPlanFor(toml));
  fake_.ClearHooks();
  const std::string token = Record("group.web.peering").attributes.value("client_token", "");
  ASSERT_TRUE(providers::types::CreatePeering(fake_, {token, "cdr-web", "vpc-web", "az1", "az2"})
                  .ok());  // the cloud did make it
  ASSERT_EQ(fake_.peerings().size(), 2u);
  EXPECT_EQ(ApplyPlan(CleanPlanFor(GroupToml("db"))).Failed(), 0);
  EXPECT_FALSE(store_->Get("group.web.peering").has_value());
  EXPECT_EQ(fake_.peerings().size(), 1u) << "the peering of the removed group web is still in the cloud";
}

TEST_P(ApplyStepsTest, GroupDeleteIsRefusedWhenTheStateGainedServers) {
  Converge(GroupToml("web") + GroupToml("db"));
  Plan plan = CleanPlanFor(GroupToml("db"));
  ASSERT_EQ(plan.changes.size(), 3u);
  // The saved plan is applied after a server was added to the group by another apply.
  state::ResourceRecord server;
  server.address = "group.web.server.late";
  server.kind = ResourceKind::kServer;
  server.status = "initialized";
  server.attributes = {{"host", "host-4"}};
  ASSERT_TRUE(store_->Put(server).ok());
  ApplyResult result = ApplyPlan(plan);
  ASSERT_EQ(result.steps.size(), 3u);
  EXPECT_TRUE(result.steps[0].ok);
  EXPECT_TRUE(result.steps[1].ok);
  EXPECT_FALSE(result.steps[2].ok);
  EXPECT_THAT(result.steps[2].error, HasSubstr("still has protected server group.web.server.late"));
  EXPECT_TRUE(store_->Get("group.web").has_value());
}

TEST_P(ApplyStepsTest, DeregisterIsRecheckedAgainstTheState) {
  Converge(WebSpec());
  Plan plan = CleanPlanFor(GroupToml("web", ServerToml("web-1", "host-1")));
  SetStatus("group.web.server.web-2", "repairing");
  ApplyResult result = ApplyPlan(plan);
  ASSERT_EQ(result.steps.size(), 1u);
  EXPECT_FALSE(result.steps[0].ok);
  EXPECT_THAT(result.steps[0].error, HasSubstr("while it is repairing"));
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre());
  EXPECT_EQ(Record("group.web.server.web-2").status, "repairing");
}

TEST_P(ApplyStepsTest, ReportsEachStepAndRenewsTheLock) {
  auto lock = store_->AcquireLock({"apply", 1000});
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  Plan plan = CleanPlanFor(GroupToml("web", ServerToml("web-1", "host-1")));
  std::vector<std::string> lines;
  ApplyOptions options = Options();
  options.lock_id = lock->id;
  options.lock_ttl_millis = 3600 * 1000;
  options.report = [&](const std::string& line) { lines.push_back(line); };
  ApplyResult result = Apply(plan, *store_, fake_, options);
  EXPECT_EQ(result.Failed(), 0);
  EXPECT_THAT(lines, Contains("group.web: Creating..."));
  EXPECT_THAT(lines, Contains("group.web.server.web-1: Registering..."));
  EXPECT_THAT(lines, Contains(HasSubstr("group.web.peering: create complete after")));
  EXPECT_EQ(lines.size(), 8u);
  auto current = store_->CurrentLock();
  ASSERT_TRUE(current.has_value());
  EXPECT_GT(current->expires_at, lock->expires_at + 3000 * 1000);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApplyStepsTest, CDR_STATE_BACKENDS);

}  // namespace
}  // namespace cdr::reconcile
