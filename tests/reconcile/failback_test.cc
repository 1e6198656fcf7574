// Failback (reconcile/internal/failback_transitions.h): reverse registration from failover_confirmed, the reverse
// agent's forward states seen as reverse_* ones, reverse replication into production's disks, the failback itself,
// protection again from seeded replicas, and the refusals, each naming the state.
#include <gtest/gtest.h>

#include "providers/types/shadow_host.h"
#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile::test_util {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kFailbackServer[] = "group.web.server.web-1";
constexpr char kFailbackFailover[] = "group.web.server.web-1.failover";
constexpr char kReceiver[] = "group.web.server.web-1.shadow_host";  // reverse replication's receiver

std::string FailbackSpec(const std::string& tables = "") {
  return GroupToml("web", ServerToml("web-1", "host-1", "replication = \"running\"\n" + tables));
}
// replication = "stopped" holds a failback after its reverse registration.
std::string HeldSpec(const std::string& tables) {
  return GroupToml("web", ServerToml("web-1", "host-1", "replication = \"stopped\"\n" + tables));
}
constexpr char kConfirmed[] = "[group.server.failover]\nname = \"web1-dr\"\nconfirm = true\n";
constexpr char kFailback[] = "[group.server.failback]\nrestore_to_original = true\n";

class FailbackTest : public ReconcileBackendsTest {
 protected:
  // Protected, failed over and confirmed: where a failback starts.
  std::string ConfirmedDrHost() {
    Converge(FailbackSpec());
    Converge(FailbackSpec(kConfirmed));
    EXPECT_EQ(Record(kFailbackServer).status, "failover_confirmed");
    return Record(kFailbackFailover).provider_id;
  }
};

TEST_P(FailbackTest, FailbackBeforeAConfirmedFailoverIsRefusedNamingTheState) {
  Converge(FailbackSpec());
  PlanResult r = PlanFor(FailbackSpec(kFailback));
  ASSERT_EQ(r.errors.size(), 1u) << DiagnosticsText(r.errors);
  EXPECT_EQ(r.errors[0].path, "group.web.server.web-1.failback");
  EXPECT_THAT(r.errors[0].message, HasSubstr("failback is allowed only from failover_confirmed"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("the server is realtime"));
  EXPECT_EQ(r.errors[0].pos.line, 10) << "points at the [group.server.failback] header";
}

TEST_P(FailbackTest, ReverseRegistrationPutsAnAgentInFrontOfTheDrHost) {
  const std::string dr = ConfirmedDrHost();
  Plan plan = CleanPlanFor(HeldSpec(std::string(kConfirmed) + kFailback));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/reverse_register group.web.server.web-1"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("failover_confirmed → reverse_registering → reverse_initialized"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ::testing::Contains("create reverse_agent " + dr));
  state::ResourceRecord server = Record(kFailbackServer);
  EXPECT_EQ(server.status, "reverse_initialized");
  EXPECT_EQ(server.attributes["reverse_agent"], dr);
  EXPECT_EQ(Record(kFailbackFailover).attributes["nbd_address"], fake_.dr_hosts().at(dr).nbd_address);
  EXPECT_TRUE(agents_["host-1"].fenced) << "production stays fenced";

  // The reverse agent answers "initialized": the server is reverse_initialized, and nothing more is due while
  // replication is held.
  EXPECT_TRUE(CleanPlanFor(HeldSpec(std::string(kConfirmed) + kFailback)).changes.empty());
  EXPECT_EQ(Record(kFailbackServer).status, "reverse_initialized");
}

TEST_P(FailbackTest, ReverseRegistrationNeedsStandaloneDisksAndIsRetried) {
  const std::string dr = ConfirmedDrHost();
  fake_.dr_hosts().at(dr).standalone = false;
  ApplyResult result = ApplyPlan(CleanPlanFor(HeldSpec(std::string(kConfirmed) + kFailback)));
  ASSERT_EQ(result.Failed(), 1);
  EXPECT_EQ(Record(kFailbackServer).status, "failover_confirmed");
  EXPECT_THAT(Record(kFailbackServer).attributes.value("last_error", ""), HasSubstr("not standalone"));

  fake_.dr_hosts().at(dr).standalone = true;
  ASSERT_EQ(ApplyPlan(CleanPlanFor(HeldSpec(std::string(kConfirmed) + kFailback))).Failed(), 0);
  EXPECT_EQ(Record(kFailbackServer).status, "reverse_initialized");
}

TEST_P(FailbackTest, InterruptedReverseRegistrationIsResumed) {
  ConfirmedDrHost();
  SetStatus(kFailbackServer, "reverse_registering");
  Plan plan = CleanPlanFor(HeldSpec(std::string(kConfirmed) + kFailback));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/reverse_register group.web.server.web-1"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("resuming an interrupted reverse registration"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kFailbackServer).status, "reverse_initialized");
}

TEST_P(FailbackTest, RemovingTheFailbackTableWhileFailingBackIsRefused) {
  ConfirmedDrHost();
  Converge(HeldSpec(std::string(kConfirmed) + kFailback));
  PlanResult r = PlanFor(HeldSpec(kConfirmed));
  ASSERT_EQ(r.errors.size(), 1u) << DiagnosticsText(r.errors);
  EXPECT_THAT(r.errors[0].message, HasSubstr("was removed, but the server is reverse_initialized"));
}

TEST_P(FailbackTest, ReleasingWhileFailingBackIsRefusedNamingTheState) {
  ConfirmedDrHost();
  Converge(HeldSpec(std::string(kConfirmed) + kFailback));
  PlanResult r = PlanFor(GroupToml("web"));
  ASSERT_EQ(r.errors.size(), 1u) << DiagnosticsText(r.errors);
  EXPECT_EQ(r.errors[0].path, kFailbackServer);
  EXPECT_THAT(r.errors[0].message, HasSubstr("cannot deregister while the server is reverse_initialized"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("allowed only from failover_confirmed"));
}

TEST_P(FailbackTest, FailbackReplicatesBackComparingFirstThenProductionTakesOverAndIsProtectedAgain) {
  const std::string dr = ConfirmedDrHost();
  Plan plan = CleanPlanFor(FailbackSpec(std::string(kConfirmed) + kFailback));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/reverse_register group.web.server.web-1",
                                         "create/create group.web.server.web-1.shadow_host",
                                         "transition/start_reverse_replication group.web.server.web-1",
                                         "transition/failback group.web.server.web-1"));
  const nlohmann::json& receiver = plan.changes[1].after;
  EXPECT_EQ(receiver["replicas_are_disks_of"], "host-1");
  EXPECT_EQ(receiver["server_id"], dr) << "the reverse agent replicates as the DR host";
  EXPECT_EQ(receiver["zone"], "az1") << "the receiver lives in the production zone";
  EXPECT_TRUE(receiver["recovery_points"].is_null());
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  state::ResourceRecord server = Record(kFailbackServer);
  EXPECT_EQ(server.status, "failed_back");
  EXPECT_EQ(server.attributes["fenced"], false);
  EXPECT_EQ(server.attributes["failback"]["dr_host"], dr);
  EXPECT_FALSE(agents_["host-1"].fenced) << "production takes writes again";
  EXPECT_TRUE(agents_[dr].target.compare_first);
  EXPECT_THAT(agents_[dr].commands, ::testing::IsSupersetOf({"Fence", "Stop"}));
  EXPECT_THAT(fake_.MutatingCalls(), ::testing::Contains("delete agent " + dr));
  EXPECT_FALSE(store_->Get("group.web.server.web-1.shadow_host").has_value()) << "the receiver is gone";
  EXPECT_TRUE(CleanPlanFor(FailbackSpec(std::string(kConfirmed) + kFailback)).changes.empty());

  PlanResult half = PlanFor(FailbackSpec(kConfirmed));
  ASSERT_EQ(half.errors.size(), 1u) << DiagnosticsText(half.errors);
  EXPECT_THAT(half.errors[0].message, HasSubstr("the server is failed_back: remove [group.server.failover] as well"));

  plan = CleanPlanFor(FailbackSpec());
  ASSERT_THAT(Changes(plan), ElementsAre("transition/register group.web.server.web-1",
                                         "create/create group.web.server.web-1.shadow_host",
                                         "delete/delete group.web.server.web-1.failover",
                                         "transition/start_replication group.web.server.web-1"));
  EXPECT_EQ(plan.changes[1].after["seed_from_dr_host"], dr);
  EXPECT_EQ(plan.changes[1].after["zone"], "az2");
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kFailbackServer).status, "realtime");
  EXPECT_TRUE(agents_["host-1"].target.compare_first) << "the seeded replicas are compared, not copied";
  EXPECT_FALSE(store_->Get(kFailbackFailover).has_value());
  EXPECT_TRUE(CleanPlanFor(FailbackSpec()).changes.empty());
}

TEST_P(FailbackTest, CutoverFalseRunsReverseReplicationAndHoldsTheFailback) {
  ConfirmedDrHost();
  const std::string held = std::string(kConfirmed) + kFailback + "cutover = false\n";
  Plan plan = CleanPlanFor(FailbackSpec(held));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/reverse_register group.web.server.web-1",
                                         "create/create group.web.server.web-1.shadow_host",
                                         "transition/start_reverse_replication group.web.server.web-1"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kFailbackServer).status, "reverse_realtime");
  EXPECT_TRUE(CleanPlanFor(FailbackSpec(held)).changes.empty());
  ASSERT_THAT(Changes(CleanPlanFor(FailbackSpec(std::string(kConfirmed) + kFailback))),
              ElementsAre("transition/failback group.web.server.web-1"));
}

TEST_P(FailbackTest, AServerRemovedOnceFailedBackIsDeregisteredAndItsStoppedDrHostDeleted) {
  const std::string dr = ConfirmedDrHost();
  Converge(FailbackSpec(std::string(kConfirmed) + kFailback));
  ASSERT_EQ(Record(kFailbackServer).status, "failed_back");
  Plan plan = CleanPlanFor(GroupToml("web"));
  ASSERT_THAT(Changes(plan), ElementsAre("delete/delete group.web.server.web-1.failover",
                                         "delete/deregister group.web.server.web-1"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ::testing::Contains("delete dr_host " + dr));
  EXPECT_FALSE(store_->Get(kFailbackServer).has_value());
}

TEST_P(FailbackTest, AFailbackThatCannotFenceTheDrHostIsAFailbackErrorRetriedByTheNextApply) {
  const std::string dr = ConfirmedDrHost();
  Converge(HeldSpec(std::string(kConfirmed) + kFailback));
  agents_[dr].state = "realtime";  // reverse replication streams
  agents_[dr].refuse_next_command = Unavailable("agent busy");
  Plan plan = CleanPlanFor(FailbackSpec(std::string(kConfirmed) + kFailback));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/failback group.web.server.web-1"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 1);
  state::ResourceRecord server = Record(kFailbackServer);
  EXPECT_EQ(server.status, "failback_error");
  EXPECT_THAT(server.attributes.value("last_error", ""), HasSubstr("agent busy"));
  EXPECT_TRUE(agents_["host-1"].fenced) << "production stays fenced until the failback succeeds";

  plan = CleanPlanFor(FailbackSpec(std::string(kConfirmed) + kFailback));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/failback group.web.server.web-1"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("retrying the failback"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kFailbackServer).status, "failed_back");
  EXPECT_FALSE(agents_["host-1"].fenced);
}

TEST_P(FailbackTest, FailingBackToANewHostLaunchesItFillsItByAFullSyncAndMovesTheServerThere) {
  const std::string dr = ConfirmedDrHost();
  const std::string tables = std::string(kConfirmed) +
                             "[group.server.failback]\nrestore_to_original = false\nname = \"web1-new\"\n"
                             "flavor = \"c4m8\"\n";
  Plan plan = CleanPlanFor(FailbackSpec(tables));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/reverse_register group.web.server.web-1",
                                         "transition/launch_host group.web.server.web-1",
                                         "create/create group.web.server.web-1.shadow_host",
                                         "transition/start_reverse_replication group.web.server.web-1",
                                         "transition/failback group.web.server.web-1"));
  EXPECT_EQ(plan.changes[1].after["launch"]["name"], "web1-new");
  EXPECT_EQ(plan.changes[1].after["launch"]["flavor"], "c4m8");
  EXPECT_EQ(plan.changes[2].after["replicas_are_disks_of"], "web1-new");
  EXPECT_EQ(plan.changes[2].after["compare_first"], false) << "a new host's empty disks get a full sync";
  EXPECT_THAT(plan.changes[4].reason, HasSubstr("set host = \"web1-new\""));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  state::ResourceRecord server = Record(kFailbackServer);
  EXPECT_EQ(server.status, "failed_back");
  EXPECT_EQ(server.attributes["host"], "web1-new");
  EXPECT_EQ(server.attributes["replaced_host"], "host-1");
  EXPECT_FALSE(server.attributes.contains("failback_host"));
  EXPECT_FALSE(agents_[dr].target.compare_first);
  EXPECT_FALSE(agents_["web1-new"].fenced);
  EXPECT_THAT(fake_.MutatingCalls(),
              ::testing::IsSupersetOf({"create host web1-new", "delete agent host-1"}));
  EXPECT_TRUE(CleanPlanFor(FailbackSpec(tables)).changes.empty());

  // The spec still names the replaced host: protection again waits for it to name the new one.
  PlanResult refused = PlanFor(FailbackSpec());
  ASSERT_EQ(refused.errors.size(), 1u) << DiagnosticsText(refused.errors);
  EXPECT_THAT(refused.errors[0].message, HasSubstr("the server is failed_back on host web1-new"));
  EXPECT_THAT(refused.errors[0].message, HasSubstr("set host = \"web1-new\""));

  const std::string moved = GroupToml("web", ServerToml("web-1", "web1-new", "replication = \"running\"\n"));
  plan = CleanPlanFor(moved);
  ASSERT_THAT(Changes(plan), ElementsAre("transition/register group.web.server.web-1",
                                         "create/create group.web.server.web-1.shadow_host",
                                         "delete/delete group.web.server.web-1.failover",
                                         "transition/start_replication group.web.server.web-1"));
  EXPECT_EQ(plan.changes[1].after["seed_from_dr_host"], dr);
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kFailbackServer).status, "realtime");
  EXPECT_TRUE(agents_["web1-new"].target.compare_first) << "the seeded replicas are compared, not copied";
  EXPECT_TRUE(CleanPlanFor(moved).changes.empty());
}

TEST_P(FailbackTest, ANewHostNameCannotChangeOnceLaunched) {
  ConfirmedDrHost();
  const std::string failback = "[group.server.failback]\nrestore_to_original = false\ncutover = false\n";
  Converge(FailbackSpec(std::string(kConfirmed) + failback + "name = \"web1-new\"\n"));
  ASSERT_EQ(Record(kFailbackServer).status, "reverse_realtime");
  PlanResult r = PlanFor(FailbackSpec(std::string(kConfirmed) + failback + "name = \"web1-other\"\n"));
  ASSERT_EQ(r.errors.size(), 1u) << DiagnosticsText(r.errors);
  EXPECT_THAT(r.errors[0].message, HasSubstr("(reverse_realtime) already launched new production host web1-new"));
}

// kill -9 of the reverse agent and its receiver together: one plan restarts both and points the restarted
// agent at the receiver's new address (the agent alone would resume towards the old one and stream to
// nobody).
TEST_P(FailbackTest, ReverseAgentAndReceiverStoppedTogetherComeBackInOneApply) {
  const std::string dr = ConfirmedDrHost();
  const std::string held = std::string(kConfirmed) + kFailback + "cutover = false\n";
  Converge(FailbackSpec(held));
  ASSERT_EQ(Record(kFailbackServer).status, "reverse_realtime");
  const std::string receiver = Record(kReceiver).provider_id;
  const std::string old_address = fake_.shadow_hosts().at(receiver).replication_address;
  fake_.StopAgentOutOfBand(dr);
  fake_.StopShadowHostOutOfBand(receiver);

  Plan plan = CleanPlanFor(FailbackSpec(held));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/reverse_register group.web.server.web-1",
                                         std::string("transition/restart ") + kReceiver,
                                         "transition/retarget_reverse_replication group.web.server.web-1"));
  ApplyResult result = ApplyPlan(plan);
  for (const auto& step : result.steps)
    EXPECT_TRUE(step.ok && !step.skipped) << step.address << ": " << step.error;
  const std::string new_address = fake_.shadow_hosts().at(receiver).replication_address;
  EXPECT_NE(new_address, old_address);
  EXPECT_EQ(agents_[dr].target.shadow_address, new_address);
  EXPECT_EQ(Record(kFailbackServer).status, "reverse_realtime");
  EXPECT_TRUE(CleanPlanFor(FailbackSpec(held)).changes.empty());
}

// A receiver restarted outside an apply (`cdr local up`) while the reverse agent runs: the agent streams to
// the old address, which refresh reports as drift, and the plan retargets the reverse agent.
TEST_P(FailbackTest, AReceiverRestartedOutsideAnApplyIsStaleTargetDriftForTheReverseAgent) {
  const std::string dr = ConfirmedDrHost();
  const std::string held = std::string(kConfirmed) + kFailback + "cutover = false\n";
  Converge(FailbackSpec(held));
  const state::ResourceRecord receiver = Record(kReceiver);
  fake_.StopShadowHostOutOfBand(receiver.provider_id);
  providers::ShadowHostRequest again{receiver.attributes["client_token"].get<std::string>(),
                                     receiver.attributes.value("name", ""),
                                     receiver.attributes.value("zone", ""),
                                     receiver.attributes.value("vpc", ""),
                                     receiver.attributes.value("server_id", ""),
                                     receiver.attributes.value("disk_type", "")};
  ASSERT_TRUE(providers::types::CreateShadowHost(fake_, again).ok());
  const std::string new_address = fake_.shadow_hosts().at(receiver.provider_id).replication_address;

  Plan plan = CleanPlanFor(FailbackSpec(held));
  ASSERT_EQ(plan.drifted.size(), 1u);
  EXPECT_EQ(plan.drifted[0].problem, "replication_target_stale");
  EXPECT_THAT(plan.drifted[0].detail, HasSubstr(new_address));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/retarget_reverse_replication group.web.server.web-1"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(agents_[dr].target.shadow_address, new_address);
  EXPECT_EQ(Record(kFailbackServer).status, "reverse_realtime");
}

INSTANTIATE_TEST_SUITE_P(Backends, FailbackTest, CDR_STATE_BACKENDS);

}  // namespace
}  // namespace cdr::reconcile::test_util
