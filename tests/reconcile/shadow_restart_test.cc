// A shadow host whose process stopped (it died, `cdr local down`) is restarted by the plan with its client
// token, on a new address; an agent still streaming to the old address is stopped and started against the new
// one. Also: deregistering a server whose agent runs but does not answer is refused with what to do.
#include <gtest/gtest.h>

#include "providers/types/shadow_host.h"
#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile::test_util {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kShadowRestartServer[] = "group.web.server.web-1";
constexpr char kShadowRestartShadow[] = "group.web.server.web-1.shadow_host";

std::string ShadowRestartOneServer(const std::string& replication = "running") {
  return GroupToml("web", ServerToml("web-1", "host-1", "replication = \"" + replication + "\"\n"));
}

class ShadowRestartTest : public ReconcileTest {
 protected:
  std::string ShadowId() { return Record(kShadowRestartShadow).provider_id; }
  std::string ShadowAddress() { return fake_.shadow_hosts().at(ShadowId()).replication_address; }
  std::vector<std::string> DriftProblems(const Plan& plan) {
    std::vector<std::string> out;
    for (const auto& d : plan.drifted) out.push_back(d.problem + " " + d.address);
    return out;
  }
};

TEST_F(ShadowRestartTest, StoppedShadowIsRestartedAndTheStreamingAgentPointedAtItsNewAddress) {
  Converge(ShadowRestartOneServer());
  const std::string old_address = ShadowAddress();
  fake_.StopShadowHostOutOfBand(ShadowId());

  Plan plan = CleanPlanFor(ShadowRestartOneServer());
  EXPECT_THAT(DriftProblems(plan), ElementsAre(std::string("shadow_host_stopped ") + kShadowRestartShadow));
  EXPECT_THAT(Changes(plan), ElementsAre(std::string("transition/restart ") + kShadowRestartShadow,
                                         std::string("transition/retarget_replication ") + kShadowRestartServer));
  EXPECT_THAT(plan.changes[1].reason, HasSubstr("new address"));

  agents_["host-1"].commands.clear();
  ApplyResult result = ApplyPlan(plan);
  for (const auto& s : result.steps) EXPECT_TRUE(s.ok && !s.skipped) << s.address << ": " << s.error;
  const std::string new_address = ShadowAddress();
  EXPECT_NE(new_address, old_address);
  EXPECT_EQ(Record(kShadowRestartShadow).attributes["replication_address"], new_address);
  EXPECT_THAT(agents_["host-1"].commands, ElementsAre("Stop", "Start " + new_address));
  EXPECT_EQ(Record(kShadowRestartServer).status, "realtime");
  EXPECT_TRUE(CleanPlanFor(ShadowRestartOneServer()).changes.empty());
}

TEST_F(ShadowRestartTest, RetargetWritesEveryStateFromStoppingToRealtime) {
  Converge(ShadowRestartOneServer());
  fake_.StopShadowHostOutOfBand(ShadowId());
  Converge(ShadowRestartOneServer());
  std::vector<std::string> events;
  for (const auto& job : store_->Jobs()) {
    if (job.address != kShadowRestartServer || job.operation != "retarget_replication") continue;
    for (const auto& e : store_->JobEvents(job.id)) events.push_back(e.from_state + "→" + e.to_state);
  }
  EXPECT_THAT(events, ElementsAre("realtime→realtime_stopping", "realtime_stopping→realtime_stopped",
                                  "realtime_stopped→replication_starting", "replication_starting→full_sync",
                                  "full_sync→realtime"));
}

TEST_F(ShadowRestartTest, AfterEverythingStoppedAgentsAndShadowsComeBackToRealtime) {
  Converge(ShadowRestartOneServer());
  fake_.StopAgentOutOfBand("host-1");
  fake_.StopShadowHostOutOfBand(ShadowId());

  Plan plan = CleanPlanFor(ShadowRestartOneServer());
  EXPECT_THAT(Changes(plan), ElementsAre(std::string("transition/restart_agent ") + kShadowRestartServer,
                                         std::string("transition/restart ") + kShadowRestartShadow,
                                         std::string("transition/retarget_replication ") + kShadowRestartServer));
  ApplyResult result = ApplyPlan(plan);
  for (const auto& s : result.steps) EXPECT_TRUE(s.ok && !s.skipped) << s.address << ": " << s.error;
  EXPECT_EQ(agents_["host-1"].target.shadow_address, ShadowAddress());
  EXPECT_EQ(Record(kShadowRestartServer).status, "realtime");
  EXPECT_TRUE(CleanPlanFor(ShadowRestartOneServer()).changes.empty());
}

TEST_F(ShadowRestartTest, ShadowRestartedOutsideAnApplyIsStaleTargetDrift) {
  Converge(ShadowRestartOneServer());
  const state::ResourceRecord shadow = Record(kShadowRestartShadow);
  fake_.StopShadowHostOutOfBand(ShadowId());
  providers::ShadowHostRequest again{
      shadow.attributes["client_token"].get<std::string>(), "shadow-web-1", "az2", "vpc", "host-1", "ssd"};
  ASSERT_TRUE(providers::types::CreateShadowHost(fake_, again).ok());  // as `cdr local up` does

  Plan plan = CleanPlanFor(ShadowRestartOneServer());
  EXPECT_THAT(DriftProblems(plan), ElementsAre(std::string("replication_target_stale ") + kShadowRestartServer));
  EXPECT_THAT(plan.drifted[0].detail, HasSubstr(ShadowAddress()));
  EXPECT_THAT(Changes(plan), ElementsAre(std::string("transition/retarget_replication ") + kShadowRestartServer));
  Converge(ShadowRestartOneServer());
  EXPECT_EQ(agents_["host-1"].target.shadow_address, ShadowAddress());
  EXPECT_EQ(Record(kShadowRestartShadow).attributes["replication_address"], ShadowAddress());
}

TEST_F(ShadowRestartTest, StoppedReplicationStartsAgainstTheRestartedShadow) {
  Converge(ShadowRestartOneServer());
  Converge(ShadowRestartOneServer("stopped"));
  fake_.StopShadowHostOutOfBand(ShadowId());
  Plan plan = CleanPlanFor(ShadowRestartOneServer());
  EXPECT_THAT(Changes(plan), ElementsAre(std::string("transition/restart ") + kShadowRestartShadow,
                                         std::string("transition/start_replication ") + kShadowRestartServer));
  ApplyPlan(plan);
  EXPECT_EQ(agents_["host-1"].target.shadow_address, ShadowAddress());
  EXPECT_EQ(Record(kShadowRestartServer).status, "realtime");
}

// The shadow host restarted (new address) while the agent was in replication_error: the repair goes to the new
// address (Start with the new target), not to the old one a plain Repair would keep trying.
TEST_F(ShadowRestartTest, RepairFromErrorGoesToTheRestartedShadowsNewAddress) {
  Converge(ShadowRestartOneServer());
  agents_["host-1"].state = "replication_error";
  fake_.StopShadowHostOutOfBand(ShadowId());
  const std::string old_address = agents_["host-1"].target.shadow_address;
  Plan plan = CleanPlanFor(ShadowRestartOneServer());
  EXPECT_THAT(Changes(plan), ElementsAre(std::string("transition/restart ") + kShadowRestartShadow,
                                         std::string("transition/repair ") + kShadowRestartServer));
  ApplyResult result = ApplyPlan(plan);
  for (const auto& s : result.steps) EXPECT_TRUE(s.ok) << s.address << ": " << s.error;
  EXPECT_NE(ShadowAddress(), old_address);
  EXPECT_EQ(agents_["host-1"].target.shadow_address, ShadowAddress());
  EXPECT_EQ(agents_["host-1"].commands.back(), "Start " + ShadowAddress());
  EXPECT_EQ(Record(kShadowRestartServer).status, "realtime");
}

TEST_F(ShadowRestartTest, RepairFromErrorWithAnUnmovedShadowIsAPlainRepair) {
  Converge(ShadowRestartOneServer());
  agents_["host-1"].state = "replication_error";
  ApplyPlan(CleanPlanFor(ShadowRestartOneServer()));
  EXPECT_EQ(agents_["host-1"].commands.back(), "Repair");
  EXPECT_EQ(Record(kShadowRestartServer).status, "realtime");
}

TEST_F(ShadowRestartTest, FailedRestartSkipsThatServersRetarget) {
  Converge(ShadowRestartOneServer());
  fake_.StopShadowHostOutOfBand(ShadowId());
  fake_.FailOn("create shadow_host", Unavailable("zone az2 is busy"));
  ApplyResult result = ApplyPlan(CleanPlanFor(ShadowRestartOneServer()));
  ASSERT_EQ(result.steps.size(), 2u);
  EXPECT_FALSE(result.steps[0].ok);
  EXPECT_THAT(result.steps[0].error, HasSubstr("zone az2 is busy"));
  EXPECT_TRUE(result.steps[1].skipped);
}

TEST_F(ShadowRestartTest, DeregisterWithAnAgentThatRunsButDoesNotAnswerIsRefusedWithWhatToDo) {
  Converge(ShadowRestartOneServer());
  agents_["host-1"].reachable = false;
  PlanResult r = PlanFor(GroupToml("web"));
  ASSERT_EQ(r.errors.size(), 1u) << DiagnosticsText(r.errors);
  EXPECT_EQ(r.errors[0].path, kShadowRestartServer);
  EXPECT_THAT(r.errors[0].message, HasSubstr("does not answer"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("cdr local down"));
  EXPECT_TRUE(r.plan.changes.empty());
}

TEST_F(ShadowRestartTest, DeregisterGoesAheadOnceTheSilentAgentIsStopped) {
  Converge(ShadowRestartOneServer());
  agents_["host-1"].reachable = false;
  fake_.StopAgentOutOfBand("host-1");
  Plan plan = CleanPlanFor(GroupToml("web"));
  EXPECT_THAT(Changes(plan), ElementsAre(std::string("delete/delete ") + kShadowRestartShadow,
                                         std::string("delete/deregister ") + kShadowRestartServer));
}

}  // namespace
}  // namespace cdr::reconcile::test_util
