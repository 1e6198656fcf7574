// Failback (reconcile/internal/failback_transitions.h): reverse registration from failover_confirmed, the reverse
// agent's forward states seen as reverse_* ones, and the refusals, each naming the state.
#include <gtest/gtest.h>

#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile::test_util {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kServer[] = "group.web.server.web-1";
constexpr char kFailover[] = "group.web.server.web-1.failover";

std::string Spec(const std::string& tables = "") {
  return GroupToml("web", ServerToml("web-1", "host-1", "replication = \"running\"\n" + tables));
}
constexpr char kConfirmed[] = "[group.server.failover]\nname = \"web1-dr\"\nconfirm = true\n";
constexpr char kFailback[] = "[group.server.failback]\nrestore_to_original = true\n";

class FailbackTest : public ReconcileTest {
 protected:
  // Protected, failed over and confirmed: where a failback starts.
  std::string ConfirmedDrHost() {
    Converge(Spec());
    Converge(Spec(kConfirmed));
    EXPECT_EQ(Record(kServer).status, "failover_confirmed");
    return Record(kFailover).provider_id;
  }
};

TEST_F(FailbackTest, FailbackBeforeAConfirmedFailoverIsRefusedNamingTheState) {
  Converge(Spec());
  PlanResult r = PlanFor(Spec(kFailback));
  ASSERT_EQ(r.errors.size(), 1u) << DiagnosticsText(r.errors);
  EXPECT_EQ(r.errors[0].path, "group.web.server.web-1.failback");
  EXPECT_THAT(r.errors[0].message, HasSubstr("failback is allowed only from failover_confirmed"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("the server is realtime"));
  EXPECT_EQ(r.errors[0].pos.line, 10) << "points at the [group.server.failback] header";
}

TEST_F(FailbackTest, ReverseRegistrationPutsAnAgentInFrontOfTheDrHost) {
  const std::string dr = ConfirmedDrHost();
  Plan plan = CleanPlanFor(Spec(std::string(kConfirmed) + kFailback));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/reverse_register group.web.server.web-1"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("failover_confirmed → reverse_registering → reverse_initialized"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_THAT(fake_.MutatingCalls(), ::testing::Contains("InstallReverseAgent " + dr));
  state::ResourceRecord server = Record(kServer);
  EXPECT_EQ(server.status, "reverse_initialized");
  EXPECT_EQ(server.attributes["reverse_agent"], dr);
  EXPECT_EQ(Record(kFailover).attributes["nbd_address"], fake_.dr_hosts().at(dr).nbd_address);
  EXPECT_TRUE(agents_["host-1"].fenced) << "production stays fenced";

  // The reverse agent answers "initialized": the server is reverse_initialized, and nothing more is due yet.
  EXPECT_TRUE(CleanPlanFor(Spec(std::string(kConfirmed) + kFailback)).changes.empty());
  EXPECT_EQ(Record(kServer).status, "reverse_initialized");
}

TEST_F(FailbackTest, ReverseRegistrationNeedsStandaloneDisksAndIsRetried) {
  const std::string dr = ConfirmedDrHost();
  fake_.dr_hosts().at(dr).standalone = false;
  ApplyResult result = ApplyPlan(CleanPlanFor(Spec(std::string(kConfirmed) + kFailback)));
  ASSERT_EQ(result.Failed(), 1);
  EXPECT_EQ(Record(kServer).status, "failover_confirmed");
  EXPECT_THAT(Record(kServer).attributes.value("last_error", ""), HasSubstr("not standalone"));

  fake_.dr_hosts().at(dr).standalone = true;
  ASSERT_EQ(ApplyPlan(CleanPlanFor(Spec(std::string(kConfirmed) + kFailback))).Failed(), 0);
  EXPECT_EQ(Record(kServer).status, "reverse_initialized");
}

TEST_F(FailbackTest, InterruptedReverseRegistrationIsResumed) {
  ConfirmedDrHost();
  SetStatus(kServer, "reverse_registering");
  Plan plan = CleanPlanFor(Spec(std::string(kConfirmed) + kFailback));
  ASSERT_THAT(Changes(plan), ElementsAre("transition/reverse_register group.web.server.web-1"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("resuming an interrupted reverse registration"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kServer).status, "reverse_initialized");
}

TEST_F(FailbackTest, RemovingTheFailbackTableWhileFailingBackIsRefused) {
  ConfirmedDrHost();
  Converge(Spec(std::string(kConfirmed) + kFailback));
  PlanResult r = PlanFor(Spec(kConfirmed));
  ASSERT_EQ(r.errors.size(), 1u) << DiagnosticsText(r.errors);
  EXPECT_THAT(r.errors[0].message, HasSubstr("was removed, but the server is reverse_initialized"));
}

TEST_F(FailbackTest, ReleasingWhileFailingBackIsRefusedNamingTheState) {
  ConfirmedDrHost();
  Converge(Spec(std::string(kConfirmed) + kFailback));
  PlanResult r = PlanFor(GroupToml("web"));
  ASSERT_EQ(r.errors.size(), 1u) << DiagnosticsText(r.errors);
  EXPECT_EQ(r.errors[0].path, kServer);
  EXPECT_THAT(r.errors[0].message, HasSubstr("cannot deregister while the server is reverse_initialized"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("allowed only from failover_confirmed"));
}

}  // namespace
}  // namespace cdr::reconcile::test_util
