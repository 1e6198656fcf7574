// Apply with the recording fake: provider calls in dependency order, the state and job log it leaves behind,
// and what happens when each step fails.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "providers/types/host.h"
#include "providers/types/peering.h"
#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile {
namespace {

using test_util::Changes;
using test_util::GroupToml;
using test_util::ServerToml;
using test_util::WebSpec;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class ApplyTest : public test_util::ReconcileBackendsTest {
 protected:
  // The job for `address` (newest first in the log, so the latest one).
  state::Job JobFor(const std::string& address) {
    for (const auto& j : store_->Jobs()) {
      if (j.address == address) return j;
    }
    ADD_FAILURE() << "no job for " << address;
    return {};
  }
  std::vector<std::string> EventsOf(const std::string& address) {
    std::vector<std::string> out;
    for (const auto& e : store_->JobEvents(JobFor(address).id))
      out.push_back(e.from_state + "->" + e.to_state);
    return out;
  }
};

TEST_P(ApplyTest, FirstApplyCreatesEverythingInDependencyOrder) {
  Plan plan = CleanPlanFor(WebSpec());
  const int64_t serial_before = store_->Serial();
  ApplyResult result = ApplyPlan(plan);

  ASSERT_EQ(result.steps.size(), 5u);
  EXPECT_EQ(result.Failed(), 0);
  EXPECT_EQ(result.Succeeded(), 5);
  for (const auto& s : result.steps) EXPECT_TRUE(s.ok && !s.skipped) << s.address << ": " << s.error;
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre("create peering cdr-web", "create endpoint cdr-web",
                                                 "create agent host-1", "create agent host-2"));
  EXPECT_EQ(store_->Serial(), serial_before + 1);

  EXPECT_THAT(Addresses(), ElementsAre("group.web", "group.web.endpoint", "group.web.peering",
                                       "group.web.server.web-1", "group.web.server.web-2"));
  EXPECT_EQ(Record("group.web").status, "created");
  EXPECT_EQ(Record("group.web").attributes["rpo_alert_seconds"], 30);

  ASSERT_EQ(fake_.peerings().size(), 1u);
  const providers::Peering& peering = fake_.peerings().begin()->second;
  state::ResourceRecord p = Record("group.web.peering");
  EXPECT_EQ(p.status, "created");
  EXPECT_EQ(p.provider_id, peering.id);
  EXPECT_EQ(p.attributes["id"], peering.id);
  EXPECT_EQ(p.attributes["client_token"], fake_.peering_requests().at(0).client_token);
  EXPECT_EQ(peering.vpc, "vpc-web");
  EXPECT_EQ(peering.dr_zone, "az2");

  ASSERT_EQ(fake_.endpoints().size(), 1u);
  state::ResourceRecord e = Record("group.web.endpoint");
  EXPECT_EQ(e.status, "created");
  EXPECT_EQ(e.provider_id, fake_.endpoints().begin()->first);
  EXPECT_THAT(e.provider_id, MatchesRegex("vpce-.*"));

  for (const char* name : {"web-1", "web-2"}) {
    state::ResourceRecord s = Record(std::string("group.web.server.") + name);
    EXPECT_EQ(s.status, "initialized") << name;
    EXPECT_EQ(s.attributes["agent_version"], "1.2.3") << name;
    EXPECT_FALSE(s.attributes.contains("last_error")) << name;
  }
  EXPECT_EQ(Record("group.web.server.web-1").provider_id, "host-1");
  EXPECT_EQ(fake_.agents().at("host-2").group, "web");

  std::vector<state::Job> jobs = store_->Jobs();
  ASSERT_EQ(jobs.size(), 5u);
  std::reverse(jobs.begin(), jobs.end());  // oldest first
  std::vector<std::string> job_ops;
  for (const auto& j : jobs) {
    job_ops.push_back(j.operation + " " + j.address);
    EXPECT_EQ(j.status, state::JobStatus::kSucceeded) << j.address;
    EXPECT_NE(j.finished_at, 0) << j.address;
  }
  EXPECT_THAT(job_ops,
              ElementsAre("create group.web", "create group.web.peering", "create group.web.endpoint",
                          "register group.web.server.web-1", "register group.web.server.web-2"));
  EXPECT_THAT(EventsOf("group.web"), ElementsAre("->created"));
  EXPECT_THAT(EventsOf("group.web.peering"), ElementsAre("->creating", "creating->created"));
  EXPECT_THAT(EventsOf("group.web.server.web-1"),
              ElementsAre("->agent_installing", "agent_installing->initialized"));

  PlanResult again = PlanFor(WebSpec());
  EXPECT_TRUE(again.errors.empty()) << test_util::DiagnosticsText(again.errors);
  EXPECT_THAT(Changes(again.plan), ElementsAre());
  EXPECT_TRUE(again.plan.drifted.empty());
  EXPECT_EQ(again.plan.state_serial, serial_before + 1);
}

TEST_P(ApplyTest, EmptyPlanDoesNotBumpTheSerial) {
  Converge(WebSpec());
  const int64_t serial = store_->Serial();
  ApplyResult result = ApplyPlan(CleanPlanFor(WebSpec()));
  EXPECT_TRUE(result.steps.empty());
  EXPECT_EQ(store_->Serial(), serial);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre());
}

TEST_P(ApplyTest, PeeringFailureSkipsTheRestOfItsGroupOnly) {
  const std::string toml = WebSpec() + GroupToml("db", ServerToml("db-1", "host-3"));
  Plan plan = CleanPlanFor(toml);
  fake_.FailOn("create peering", Unavailable("peering quota exceeded"), "cdr-web");
  const int64_t serial_before = store_->Serial();
  ApplyResult result = ApplyPlan(plan);

  ASSERT_EQ(result.steps.size(), 9u);
  EXPECT_TRUE(result.steps[0].ok);  // group.web
  EXPECT_EQ(result.steps[1].address, "group.web.peering");
  EXPECT_FALSE(result.steps[1].ok);
  EXPECT_FALSE(result.steps[1].skipped);
  EXPECT_THAT(result.steps[1].error, HasSubstr("peering quota exceeded"));
  for (int i : {2, 3, 4}) {
    EXPECT_TRUE(result.steps[i].skipped) << result.steps[i].address;
    EXPECT_FALSE(result.steps[i].ok) << result.steps[i].address;
    EXPECT_THAT(result.steps[i].error, HasSubstr("earlier step of group web failed"));
  }
  for (int i : {5, 6, 7, 8})
    EXPECT_TRUE(result.steps[i].ok && !result.steps[i].skipped) << result.steps[i].address;
  EXPECT_EQ(result.Failed(), 4);
  EXPECT_EQ(result.Succeeded(), 5);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre("create peering cdr-web", "create peering cdr-db",
                                                 "create endpoint cdr-db", "create agent host-3"));
  EXPECT_EQ(store_->Serial(), serial_before + 1);

  state::ResourceRecord p = Record("group.web.peering");
  EXPECT_EQ(p.status, "creating");
  const std::string token = p.attributes.value("client_token", "");
  EXPECT_FALSE(token.empty());
  EXPECT_FALSE(store_->Get("group.web.endpoint").has_value());
  EXPECT_FALSE(store_->Get("group.web.server.web-1").has_value());
  EXPECT_EQ(Record("group.db.server.db-1").status, "initialized");
  state::Job job = JobFor("group.web.peering");
  EXPECT_EQ(job.status, state::JobStatus::kFailed);
  EXPECT_THAT(job.error, HasSubstr("peering quota exceeded"));

  // Once the cloud recovers, the next plan finishes the group, reusing the token of the failed create.
  fake_.ClearHooks();
  Plan next = CleanPlanFor(toml);
  EXPECT_THAT(
      Changes(next),
      ElementsAre("create/create group.web.peering", "create/create group.web.endpoint",
                  "create/register group.web.server.web-1", "create/register group.web.server.web-2"));
  EXPECT_EQ(ApplyPlan(next).Failed(), 0);
  EXPECT_EQ(fake_.peering_requests().back().client_token, token);
  EXPECT_EQ(fake_.peerings().size(), 2u);
  EXPECT_THAT(Changes(CleanPlanFor(toml)), ElementsAre());
}

TEST_P(ApplyTest, EndpointFailureSkipsTheServers) {
  Plan plan = CleanPlanFor(WebSpec());
  fake_.FailOn("create endpoint", Internal("endpoint service down"));
  ApplyResult result = ApplyPlan(plan);
  ASSERT_EQ(result.steps.size(), 5u);
  EXPECT_TRUE(result.steps[1].ok);
  EXPECT_FALSE(result.steps[2].ok);
  EXPECT_FALSE(result.steps[2].skipped);
  EXPECT_TRUE(result.steps[3].skipped);
  EXPECT_TRUE(result.steps[4].skipped);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre("create peering cdr-web", "create endpoint cdr-web"));
  EXPECT_EQ(Record("group.web.endpoint").status, "creating");
}

TEST_P(ApplyTest, AgentInstallFailureIsRecordedAndRetriedByTheNextPlan) {
  Plan plan = CleanPlanFor(WebSpec());
  fake_.FailOn("create agent", Unavailable("agent download timed out"), "host-1");
  ApplyResult result = ApplyPlan(plan);
  ASSERT_EQ(result.steps.size(), 5u);
  EXPECT_FALSE(result.steps[3].ok);
  EXPECT_FALSE(result.steps[3].skipped);
  EXPECT_TRUE(result.steps[4].ok) << "a failing server must not stop its siblings";
  EXPECT_EQ(result.Failed(), 1);

  state::ResourceRecord s = Record("group.web.server.web-1");
  EXPECT_EQ(s.status, "agent_install_failed");
  EXPECT_EQ(s.attributes["last_error"], "agent download timed out");
  EXPECT_THAT(EventsOf("group.web.server.web-1"),
              ElementsAre("->agent_installing", "agent_installing->agent_install_failed"));
  EXPECT_EQ(JobFor("group.web.server.web-1").status, state::JobStatus::kFailed);

  fake_.ClearHooks();
  Plan retry = CleanPlanFor(WebSpec());
  ASSERT_THAT(Changes(retry), ElementsAre("transition/register group.web.server.web-1"));
  EXPECT_THAT(retry.changes[0].reason, HasSubstr("agent install failed"));
  EXPECT_THAT(retry.changes[0].reason, HasSubstr("agent download timed out"));
  EXPECT_EQ(Summarize(retry).transition, 1);

  EXPECT_EQ(ApplyPlan(retry).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre("create agent host-1"));
  s = Record("group.web.server.web-1");
  EXPECT_EQ(s.status, "initialized");
  EXPECT_FALSE(s.attributes.contains("last_error"));
  EXPECT_THAT(Changes(CleanPlanFor(WebSpec())), ElementsAre());
}

TEST_P(ApplyTest, InterruptedCreateReusesItsClientToken) {
  Converge(GroupToml("web"));
  // As if an apply died between CreatePeering and the state write: the cloud made the peering with the token
  // stored in the state, the state still says "creating" without an id.
  ASSERT_TRUE(store_->Delete("group.web.peering").ok());
  fake_.RemovePeeringOutOfBand(fake_.peerings().begin()->first);
  auto made = providers::types::CreatePeering(fake_, {"tok-interrupted", "cdr-web", "vpc-web", "az1", "az2"});
  ASSERT_TRUE(made.ok());
  state::ResourceRecord r;
  r.address = "group.web.peering";
  r.kind = ResourceKind::kPeering;
  r.status = "creating";
  r.attributes = {{"vpc", "vpc-web"},
                  {"production_zone", "az1"},
                  {"dr_zone", "az2"},
                  {"client_token", "tok-interrupted"}};
  ASSERT_TRUE(store_->Put(r).ok());
  fake_.ClearCalls();

  Plan plan = CleanPlanFor(GroupToml("web"));
  ASSERT_THAT(Changes(plan), ElementsAre("create/create group.web.peering"));
  EXPECT_EQ(ApplyPlan(plan).Failed(), 0);
  ASSERT_EQ(fake_.calls().size(), 1u);
  EXPECT_EQ(fake_.calls()[0], (test_util::FakeCall{"create peering", "cdr-web", "tok-interrupted"}));
  EXPECT_EQ(fake_.peerings().size(), 1u);
  state::ResourceRecord after = Record("group.web.peering");
  EXPECT_EQ(after.status, "created");
  EXPECT_EQ(after.provider_id, made->id);
  EXPECT_EQ(after.attributes["client_token"], "tok-interrupted");
}

TEST_P(ApplyTest, InterruptedDeleteIsFinishedThenCreated) {
  Converge(GroupToml("web"));
  const std::string old_id = Record("group.web.peering").provider_id;
  SetStatus("group.web.peering", "deleting");
  Plan plan = CleanPlanFor(GroupToml("web"));
  ASSERT_THAT(Changes(plan), ElementsAre("replace/replace group.web.peering"));
  EXPECT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre("delete peering " + old_id, "create peering cdr-web"));
  ASSERT_EQ(fake_.peerings().size(), 1u);
  state::ResourceRecord p = Record("group.web.peering");
  EXPECT_EQ(p.status, "created");
  EXPECT_NE(p.provider_id, old_id);
  EXPECT_EQ(p.provider_id, fake_.peerings().begin()->first);
  EXPECT_THAT(Changes(CleanPlanFor(GroupToml("web"))), ElementsAre());
}

TEST_P(ApplyTest, UpdateInPlaceMakesNoProviderChange) {
  Converge(WebSpec());
  const std::string toml =
      WebSpec("rpo_alert_seconds = 90\n", "dr_disk_type = \"sas\"\nauto_restart = false\n");
  Plan plan = CleanPlanFor(toml);
  EXPECT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre());
  EXPECT_EQ(Record("group.web").attributes["rpo_alert_seconds"], 90);
  state::ResourceRecord s = Record("group.web.server.web-1");
  EXPECT_EQ(s.status, "initialized");
  EXPECT_EQ(s.attributes["dr_disk_type"], "sas");
  EXPECT_EQ(s.attributes["auto_restart"], false);
  EXPECT_EQ(s.attributes["agent_version"], "1.2.3");
  EXPECT_THAT(Changes(CleanPlanFor(toml)), ElementsAre());
}

TEST_P(ApplyTest, HostChangeDeregistersThenRegisters) {
  Converge(WebSpec());
  const std::string toml = GroupToml("web", ServerToml("web-1", "host-3") + ServerToml("web-2", "host-2"));
  EXPECT_EQ(ApplyPlan(CleanPlanFor(toml)).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre("delete agent host-1", "create agent host-3"));
  EXPECT_FALSE(fake_.agents().count("host-1"));
  state::ResourceRecord s = Record("group.web.server.web-1");
  EXPECT_EQ(s.status, "initialized");
  EXPECT_EQ(s.provider_id, "host-3");
  EXPECT_EQ(s.attributes["host"], "host-3");
  EXPECT_THAT(Changes(CleanPlanFor(toml)), ElementsAre());
}

TEST_P(ApplyTest, RemovedServerIsDeregisteredAndTheHostStays) {
  Converge(WebSpec());
  const std::string toml = GroupToml("web", ServerToml("web-1", "host-1"));
  EXPECT_EQ(ApplyPlan(CleanPlanFor(toml)).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre("delete agent host-2"));
  EXPECT_FALSE(store_->Get("group.web.server.web-2").has_value());
  EXPECT_TRUE(providers::types::ReadHost(fake_, "host-2").ok());
  EXPECT_THAT(EventsOf("group.web.server.web-2"),
              ElementsAre("initialized->deregistering", "deregistering->"));
}

TEST_P(ApplyTest, RemovedEmptyGroupDeletesNetworkThenGroup) {
  Converge(GroupToml("web") + GroupToml("db"));
  const std::string endpoint = Record("group.web.endpoint").provider_id;
  const std::string peering = Record("group.web.peering").provider_id;
  EXPECT_EQ(ApplyPlan(CleanPlanFor(GroupToml("db"))).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ElementsAre("delete endpoint " + endpoint, "delete peering " + peering));
  EXPECT_THAT(Addresses(), ElementsAre("group.db", "group.db.endpoint", "group.db.peering"));
  EXPECT_EQ(fake_.peerings().size(), 1u);
}

TEST_P(ApplyTest, GroupVpcReplaceRecreatesTheNetworkInTheNewVpc) {
  Converge(GroupToml("web"));
  EXPECT_EQ(ApplyPlan(CleanPlanFor(GroupToml("web", "", "vpc-new"))).Failed(), 0);
  ASSERT_EQ(fake_.peerings().size(), 1u);
  EXPECT_EQ(fake_.peerings().begin()->second.vpc, "vpc-new");
  ASSERT_EQ(fake_.endpoints().size(), 1u);
  EXPECT_EQ(fake_.endpoints().begin()->second.vpc, "vpc-new");
  EXPECT_EQ(Record("group.web").attributes["vpc"], "vpc-new");
}

INSTANTIATE_TEST_SUITE_P(Backends, ApplyTest, CDR_STATE_BACKENDS);

}  // namespace
}  // namespace cdr::reconcile
