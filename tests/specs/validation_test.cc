// Per-file rules: one test per rule, each asserting the exact position, path and message.
#include <gtest/gtest.h>

#include "specs/load_spec.h"
#include "tests/specs/spec_test_util.h"

namespace cdr::specs {
namespace {

using testing_util::HasDiagnostic;
using testing_util::LoadText;
using testing_util::OnlyDiagnostic;

// Lines 1–5; tests append from line 6.
constexpr char kGroup[] = R"([[group]]
name = "web"
production_zone = "az1"
dr_zone = "az2"
vpc = "vpc-web"
)";

// Lines 6–8 when appended to kGroup.
constexpr char kServer[] = R"([[group.server]]
name = "web-1"
host = "host-1"
)";

std::string WithGroup(const std::string& more) { return std::string(kGroup) + more; }
std::string GroupWithServer(const std::string& more) { return std::string(kGroup) + kServer + more; }

TEST(SyntaxTest, ParseErrorHasPosition) {
  LoadResult result = LoadText(WithGroup("rpo_alert_seconds = = 3\n"));
  EXPECT_TRUE(OnlyDiagnostic(result, "a.toml:6:21", "", "TOML syntax error: "));
}

TEST(UnknownKeyTest, TopLevelWithSuggestion) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText("[providr]\ntype = \"local\"\n"), "a.toml:1:2", "providr",
                             "unknown key `providr`, did you mean `provider`?"));
}

TEST(UnknownKeyTest, GroupLevelWithSuggestion) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithGroup("rpo_alert_second = 5\n")), "a.toml:6:1",
                             "group.web.rpo_alert_second", "did you mean `rpo_alert_seconds`?"));
}

TEST(UnknownKeyTest, ServerLevelWithoutSuggestionWhenNothingIsClose) {
  LoadResult result = LoadText(GroupWithServer("flavor = \"c2m4\"\n"));
  EXPECT_TRUE(OnlyDiagnostic(result, "a.toml:9:1", "group.web.server.web-1.flavor", "unknown key `flavor`"));
  EXPECT_EQ(result.diagnostics[0].message.find("did you mean"), std::string::npos);
}

TEST(UnknownKeyTest, InsideRecoveryPoints) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText(GroupWithServer("recovery_points = { every_hour = 2 }\n")), "a.toml:9:21",
                             "group.web.server.web-1.recovery_points.every_hour",
                             "did you mean `every_hours`?"));
}

TEST(UnknownKeyTest, ProviderAndQuota) {
  LoadResult result = LoadText("[provider]\nroot = \"x\"\nrot = \"y\"\n[quota]\nagent = 5\n");
  ASSERT_EQ(result.diagnostics.size(), 2u) << testing_util::AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:3:1", "provider.rot", "did you mean `root`?"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:5:1", "quota.agent", "did you mean `agents`?"));
}

TEST(TypeTest, ScalarTypes) {
  LoadResult result = LoadText(std::string(kGroup) + "rpo_alert_seconds = \"30\"\n" + kServer +
                               "auto_restart = \"yes\"\nrecovery_points = { keep = 1.5 }\n");
  ASSERT_EQ(result.diagnostics.size(), 3u) << testing_util::AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:6:21", "group.web.rpo_alert_seconds",
                            "expected an integer, found a string"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:10:16", "group.web.server.web-1.auto_restart",
                            "expected a boolean, found a string"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:11:28", "group.web.server.web-1.recovery_points.keep",
                            "expected an integer, found a floating-point number"));
}

TEST(TypeTest, StringExpected) {
  LoadResult result =
      LoadText("[[group]]\nname = \"web\"\nproduction_zone = \"az1\"\ndr_zone = \"az2\"\nvpc = 5\n");
  EXPECT_TRUE(OnlyDiagnostic(result, "a.toml:5:7", "group.web.vpc", "expected a string, found an integer"));
}

TEST(TypeTest, GroupWrittenAsSingleTable) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText("[group]\nname = \"web\"\n"), "a.toml:1:1", "group",
                             "expected an array of tables (write [[group]]), found a table"));
}

TEST(TypeTest, ServerWrittenAsSingleTable) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithGroup("[group.server]\nname = \"web-1\"\nhost = \"h\"\n")),
                             "a.toml:6:1", "group.web.server",
                             "expected an array of tables (write [[group.server]]), found a table"));
}

TEST(TypeTest, TablesExpected) {
  LoadResult result =
      LoadText(std::string("provider = \"local\"\n") + kGroup + kServer + "recovery_points = 48\n");
  ASSERT_EQ(result.diagnostics.size(), 2u) << testing_util::AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:1:12", "provider", "expected a table, found a string"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:10:19", "group.web.server.web-1.recovery_points",
                            "expected a table, found an integer"));
}

TEST(TypeTest, GroupArrayElementNotATable) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText("group = [\"web\"]\n"), "a.toml:1:10", "group[0]",
                             "expected a table, found a string"));
}

TEST(RequiredTest, MissingGroupKeysPointAtTheHeader) {
  LoadResult result = LoadText("\n[[group]]\nname = \"web\"\n");
  ASSERT_EQ(result.diagnostics.size(), 3u) << testing_util::AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:2:1", "group.web.production_zone", "missing required key"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:2:1", "group.web.dr_zone", "missing required key `dr_zone`"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:2:1", "group.web.vpc", "missing required key `vpc`"));
}

TEST(RequiredTest, MissingNameUsesTheIndex) {
  LoadResult result =
      LoadText(std::string(kGroup) + "[[group]]\nproduction_zone = \"a\"\ndr_zone = \"b\"\nvpc = \"v\"\n");
  EXPECT_TRUE(OnlyDiagnostic(result, "a.toml:6:1", "group[1].name", "missing required key `name`"));
}

TEST(RequiredTest, MissingServerKeys) {
  LoadResult result =
      LoadText(WithGroup("[[group.server]]\nname = \"web-1\"\n[[group.server]]\nhost = \"h2\"\n"));
  ASSERT_EQ(result.diagnostics.size(), 2u) << testing_util::AllDiagnostics(result);
  EXPECT_TRUE(
      HasDiagnostic(result, "a.toml:6:1", "group.web.server.web-1.host", "missing required key `host`"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:8:1", "group.web.server[1].name", "missing required key `name`"));
}

TEST(RequiredTest, EmptyStrings) {
  LoadResult result =
      LoadText("[[group]]\nname = \"web\"\nproduction_zone = \"\"\ndr_zone = \"az2\"\nvpc = \"v\"\n" +
               std::string(kServer) + "dr_disk_type = \"\"\n");
  ASSERT_EQ(result.diagnostics.size(), 2u) << testing_util::AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:3:19", "group.web.production_zone", "must not be empty"));
  EXPECT_TRUE(
      HasDiagnostic(result, "a.toml:9:16", "group.web.server.web-1.dr_disk_type", "must not be empty"));
}

TEST(ZoneTest, DrZoneMustDifferFromProductionZone) {
  LoadResult result =
      LoadText("[[group]]\nname = \"web\"\nproduction_zone = \"az1\"\ndr_zone = \"az1\"\nvpc = \"v\"\n");
  EXPECT_TRUE(OnlyDiagnostic(result, "a.toml:4:11", "group.web.dr_zone",
                             "must differ from production_zone (both are `az1`)"));
}

TEST(NameRuleTest, GroupNameFirstCharacter) {
  LoadResult result = LoadText("[[group]]\nname = \"1web\"\nproduction_zone = \"a\"\ndr_zone = \"b\"\n");
  ASSERT_EQ(result.diagnostics.size(), 2u) << testing_util::AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:2:8", "group[0].name",
                            "invalid group name `1web`: must start with a letter"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:1:1", "group[0].vpc", "missing required key"));
}

TEST(NameRuleTest, GroupNameLengthAndCharacters) {
  LoadResult result = LoadText(
      "[[group]]\nname = \"w\"\nproduction_zone = \"a\"\ndr_zone = \"b\"\nvpc = \"v\"\n"
      "[[group]]\nname = \"web.prod\"\nproduction_zone = \"a\"\ndr_zone = \"b\"\nvpc = \"v\"\n");
  ASSERT_EQ(result.diagnostics.size(), 2u) << testing_util::AllDiagnostics(result);
  EXPECT_TRUE(
      HasDiagnostic(result, "a.toml:2:8", "group[0].name", "must be 2–63 characters long (it has 1)"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:7:8", "group[1].name", "bad character '.'"));
}

TEST(NameRuleTest, ServerNameFollowsDrHostRule) {
  LoadResult result =
      LoadText(WithGroup("[[group.server]]\nname = \"web-\"\nhost = \"h1\"\n"
                         "[[group.server]]\nname = \"web-server-number-1\"\nhost = \"h2\"\n"
                         "[[group.server]]\nname = \"web_3\"\nhost = \"h3\"\n"));
  ASSERT_EQ(result.diagnostics.size(), 3u) << testing_util::AllDiagnostics(result);
  EXPECT_TRUE(
      HasDiagnostic(result, "a.toml:7:8", "group.web.server[0].name",
                    "invalid server name `web-` (it becomes the DR host name): must end with a letter"));
  EXPECT_TRUE(
      HasDiagnostic(result, "a.toml:10:8", "group.web.server[1].name", "must be 2–15 characters long"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:13:8", "group.web.server[2].name", "bad character '_'"));
}

TEST(NameRuleTest, RenamedFromMustDifferAndFollowTheRules) {
  LoadResult result =
      LoadText(WithGroup("renamed_from = \"web\"\n[[group]]\nname = \"db\"\nrenamed_from = \"-db\"\n"
                         "production_zone = \"a\"\ndr_zone = \"b\"\nvpc = \"v\"\n"));
  ASSERT_EQ(result.diagnostics.size(), 2u) << testing_util::AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:6:16", "group.web.renamed_from", "must differ from `name`"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:9:16", "group.db.renamed_from", "must start with a letter"));
}

TEST(EnumTest, ReplicationAndDiskType) {
  LoadResult result = LoadText(GroupWithServer("replication = \"paused\"\ndr_disk_type = \"ssdd\"\n"));
  ASSERT_EQ(result.diagnostics.size(), 2u) << testing_util::AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:9:15", "group.web.server.web-1.replication",
                            "unknown value `paused`: must be `running` or `stopped`"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:10:16", "group.web.server.web-1.dr_disk_type",
                            "unknown value `ssdd`: must be `sata`, `sas` or `ssd` (did you mean `ssd`?)"));
}

TEST(EnumTest, ProviderType) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText("[provider]\ntype = \"aws\"\n"), "a.toml:2:8", "provider.type",
                             "unsupported provider type `aws`: use `local` (embedded) or `http` (a provider "
                             "program, with url and token_file)"));
  // A provider program needs where it listens and its token.
  LoadResult http = LoadText("[provider]\ntype = \"http\"\n");
  ASSERT_EQ(http.diagnostics.size(), 2u) << testing_util::AllDiagnostics(http);
  EXPECT_TRUE(HasDiagnostic(http, "a.toml:1:1", "provider.url", "missing required key `url`"));
  EXPECT_TRUE(HasDiagnostic(http, "a.toml:1:1", "provider.token_file", "missing required key `token_file`"));
  EXPECT_TRUE(LoadText("[provider]\ntype = \"http\"\nurl = \"http://127.0.0.1:7070\"\ntoken_file = \"t\"\n")
                  .diagnostics.empty());
}

TEST(RangeTest, GroupAndServerNumbers) {
  LoadResult result = LoadText(std::string(kGroup) + "rpo_alert_seconds = 86401\n" + kServer +
                               "recovery_points = { every_hours = 25, keep = 0 }\n");
  ASSERT_EQ(result.diagnostics.size(), 3u) << testing_util::AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:6:21", "group.web.rpo_alert_seconds",
                            "must be between 1 and 86400 (found 86401)"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:10:35", "group.web.server.web-1.recovery_points.every_hours",
                            "must be between 1 and 24 (found 25)"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:10:46", "group.web.server.web-1.recovery_points.keep",
                            "must be between 1 and 1000 (found 0)"));
}

TEST(RangeTest, RecoveryPointsAsAStandardTable) {
  LoadResult result = LoadText(GroupWithServer("[group.server.recovery_points]\nkeep = 1001\n"));
  EXPECT_TRUE(OnlyDiagnostic(result, "a.toml:10:8", "group.web.server.web-1.recovery_points.keep",
                             "must be between 1 and 1000 (found 1001)"));
}

TEST(RangeTest, QuotaAgents) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText("[quota]\nagents = 201\n"), "a.toml:2:10", "quota.agents",
                             "must be between 1 and 200 (found 201)"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText("[quota]\nagents = 0\n"), "a.toml:2:10", "quota.agents",
                             "must be between 1 and 200 (found 0)"));
}

}  // namespace
}  // namespace cdr::specs
