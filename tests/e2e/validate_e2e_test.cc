// `cdr validate` through the real binary: every problem at once, each with file:line:column, exit 1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/e2e/cdr_workspace.h"

namespace cdr::e2e {
namespace {

using ::testing::HasSubstr;

TEST(ValidateTest, ReportsEveryProblemWithExactPositions) {
  CdrWorkspace ws;
  ws.WriteSpec("a.toml", R"([[group]]
name = "web-prod"
production_zone = "az1"
dr_zone = "az1"
vpc = "vpc-prod"
rpo_alert_secs = 30

[[group.server]]
name = "1web"
host = "host-1"
replication = "sometimes"
recovery_points = { every_hours = 0, keep = 48 }
)");
  ws.WriteSpec("b.toml", R"([[group]]
name = "web-prod"
production_zone = "az1"
dr_zone = "az2"
vpc = "vpc-prod"
)");
  RunResult r = ws.Cdr({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("specs/a.toml:4:11: group.web-prod.dr_zone: must differ from production_zone"));
  EXPECT_THAT(r.err, HasSubstr("specs/a.toml:6:1: group.web-prod.rpo_alert_secs: unknown key `rpo_alert_secs`, "
                               "did you mean `rpo_alert_seconds`?"));
  EXPECT_THAT(r.err, HasSubstr("specs/a.toml:9:8: group.web-prod.server[0].name: invalid server name `1web`"));
  EXPECT_THAT(r.err, HasSubstr("specs/a.toml:11:15: group.web-prod.server[0].replication: unknown value "
                               "`sometimes`"));
  EXPECT_THAT(r.err, HasSubstr("specs/a.toml:12:35: group.web-prod.server[0].recovery_points.every_hours: must "
                               "be between 1 and 24 (found 0)"));
  EXPECT_THAT(r.err, HasSubstr("specs/b.toml:2:8: group.web-prod.name: duplicate group name `web-prod` (first "
                               "declared at specs/a.toml:2:8)"));
  EXPECT_THAT(r.err, HasSubstr("6 problems in the spec."));
}

TEST(ValidateTest, ValidSpecExitsZeroAndPlanRefusesInvalidOnes) {
  CdrWorkspace ws;
  ws.WriteSpec("web.toml", GroupSpec(2));
  RunResult ok = ws.Cdr({"validate", "--spec", "specs"});  // global options may follow the verb
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("1 protection group(s), 2 protected server(s) (quota 20)"));

  EXPECT_EQ(ws.Cdr({"frobnicate"}).exit_code, 1);
  EXPECT_EQ(ws.Cdr({"plan", "--bogus"}).exit_code, 1);

  ws.WriteSpec("web.toml", GroupSpec(21));
  RunResult quota = ws.Cdr({"plan"});
  EXPECT_EQ(quota.exit_code, 1);
  EXPECT_THAT(quota.err, HasSubstr("spec declares 21 agents but the quota is 20"));
}

}  // namespace
}  // namespace cdr::e2e
