// A drill's verification is recorded before it runs, so one that never got a result (the apply died while
// verifying, or the check could not run) is planned and run again instead of the plan saying "No changes".
#include <gtest/gtest.h>

#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile::test_util {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kDrHostVerifyDrill[] = "group.web.server.web-1.drill";

std::string DrHostVerifySpec(const std::string& verify) {
  return GroupToml("web", ServerToml("web-1", "host-1",
                                     "replication = \"running\"\n[group.server.drill]\nname = \"web1-drill\"\n"
                                     "verify = \"" + verify + "\"\n"));
}

class DrHostVerifyTest : public ReconcileTest {};

TEST_F(DrHostVerifyTest, VerificationIsRecordedAsRunningBeforeTheProviderChecks) {
  Converge(GroupToml("web", ServerToml("web-1", "host-1", "replication = \"running\"\n")));
  std::string seen;
  fake_.hooks["check dr_host"] = [&](const test_util::FakeCall&) {
    seen = Record(kDrHostVerifyDrill).attributes["verification"].dump();
    return Status::Ok();
  };
  ASSERT_EQ(ApplyPlan(CleanPlanFor(DrHostVerifySpec("checksum"))).Failed(), 0);
  EXPECT_THAT(seen, HasSubstr("\"result\":\"running\""));
  EXPECT_THAT(seen, HasSubstr("\"kind\":\"checksum\""));
  EXPECT_EQ(Record(kDrHostVerifyDrill).attributes["verification"]["result"], "passed");
}

TEST_F(DrHostVerifyTest, VerificationLeftRunningByADeadApplyIsRunAgain) {
  Converge(GroupToml("web", ServerToml("web-1", "host-1", "replication = \"running\"\n")));
  Converge(DrHostVerifySpec("checksum"));
  // What an apply killed inside CheckDrHost leaves behind.
  state::ResourceRecord drill = Record(kDrHostVerifyDrill);
  drill.attributes["verification"] = {{"kind", "checksum"}, {"result", "running"}, {"started_at", 1}};
  ASSERT_TRUE(store_->Put(drill).ok());

  Plan plan = CleanPlanFor(DrHostVerifySpec("checksum"));
  ASSERT_THAT(Changes(plan), ElementsAre("update/verify group.web.server.web-1.drill"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("resuming an interrupted checksum verification"));
  fake_.ClearCalls();
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kDrHostVerifyDrill).attributes["verification"]["result"], "passed");
  EXPECT_EQ(fake_.dr_hosts().size(), 1u) << "the same DR host is checked, not a new one";
  EXPECT_TRUE(CleanPlanFor(DrHostVerifySpec("checksum")).changes.empty());
}

TEST_F(DrHostVerifyTest, VerificationThatCouldNotRunIsAnErrorAndRunsAgain) {
  Converge(GroupToml("web", ServerToml("web-1", "host-1", "replication = \"running\"\n")));
  fake_.FailOn("check dr_host", Unavailable("nbdcopy: connection refused"));
  ApplyResult result = ApplyPlan(CleanPlanFor(DrHostVerifySpec("fsck")));
  ASSERT_EQ(result.Failed(), 1);
  const nlohmann::json verification = Record(kDrHostVerifyDrill).attributes["verification"];
  EXPECT_EQ(verification["result"], "error") << "a check that did not run is no verdict, and not still running";
  EXPECT_THAT(verification["detail"].get<std::string>(), HasSubstr("connection refused"));

  fake_.ClearHooks();
  Plan plan = CleanPlanFor(DrHostVerifySpec("fsck"));
  ASSERT_THAT(Changes(plan), ElementsAre("update/verify group.web.server.web-1.drill"));
  EXPECT_THAT(plan.changes[0].reason, HasSubstr("could not run (nbdcopy: connection refused)"));
  ASSERT_EQ(ApplyPlan(plan).Failed(), 0);
  EXPECT_EQ(Record(kDrHostVerifyDrill).attributes["verification"]["result"], "passed");
  EXPECT_TRUE(CleanPlanFor(DrHostVerifySpec("fsck")).changes.empty());
}

TEST_F(DrHostVerifyTest, AFailedVerificationIsAVerdictAndIsNotRepeated) {
  Converge(GroupToml("web", ServerToml("web-1", "host-1", "replication = \"running\"\n")));
  fake_.check_result = {"failed", "sha256 differs"};
  ASSERT_EQ(ApplyPlan(CleanPlanFor(DrHostVerifySpec("checksum"))).Failed(), 1);
  EXPECT_TRUE(CleanPlanFor(DrHostVerifySpec("checksum")).changes.empty()) << "drift reports it; the plan has nothing to do";
}

}  // namespace
}  // namespace cdr::reconcile::test_util
