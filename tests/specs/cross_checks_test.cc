// Rules that span groups and files: duplicates, hosts, single [provider]/[quota], the agent quota.
#include <gtest/gtest.h>

#include "specs/load_spec.h"
#include "tests/specs/spec_test_util.h"

namespace cdr::specs {
namespace {

using testing_util::HasDiagnostic;
using testing_util::LoadText;
using testing_util::OnlyDiagnostic;

// A group of `servers` servers named <prefix>-<i> on hosts <prefix>-host-<i>; the header is on line 1 and
// each server takes 3 lines from line 6.
std::string Group(const std::string& name, int servers = 0, const std::string& prefix = "s") {
  std::string text =
      "[[group]]\nname = \"" + name + "\"\nproduction_zone = \"az1\"\ndr_zone = \"az2\"\nvpc = \"v\"\n";
  for (int i = 1; i <= servers; ++i) {
    const std::string n = prefix + "-" + std::to_string(i);
    text += "[[group.server]]\nname = \"" + n + "\"\nhost = \"" + n + "-host\"\n";
  }
  return text;
}

TEST(DuplicateTest, GroupNameAcrossFiles) {
  LoadResult result = LoadSpecDocuments({{"a.toml", Group("web")}, {"b.toml", Group("db") + Group("web")}});
  EXPECT_TRUE(OnlyDiagnostic(result, "b.toml:7:8", "group.web.name",
                             "duplicate group name `web` (first declared at a.toml:2:8)"));
}

TEST(DuplicateTest, RenamedFromNamesAnotherGroup) {
  LoadResult result = LoadText(Group("web") + Group("db") + "renamed_from = \"web\"\n");
  EXPECT_TRUE(OnlyDiagnostic(result, "a.toml:11:16", "group.db.renamed_from",
                             "renamed_from `web` is the name of another group (a.toml:2:8)"));
}

TEST(DuplicateTest, TwoGroupsRenamedFromTheSameName) {
  LoadResult result =
      LoadText(Group("web") + "renamed_from = \"old\"\n" + Group("db") + "renamed_from = \"old\"\n");
  EXPECT_TRUE(OnlyDiagnostic(result, "a.toml:12:16", "group.db.renamed_from",
                             "renamed_from `old` is already claimed by group.web (a.toml:6:16)"));
}

TEST(DuplicateTest, ServerRenamedFromAnotherServersName) {
  LoadResult result = LoadText(Group("web", 2) + "renamed_from = \"s-1\"\n");
  EXPECT_TRUE(OnlyDiagnostic(result, "a.toml:12:16", "group.web.server.s-2.renamed_from",
                             "renamed_from `s-1` is the name of another server of group.web (a.toml:7:8)"));
}

TEST(DuplicateTest, ServerRenamedFromItsOwnName) {
  LoadResult result = LoadText(Group("web", 1) + "renamed_from = \"s-1\"\n");
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:9:16", "group.web.server.s-1.renamed_from", "must differ from `name`"));
}

TEST(DuplicateTest, ServerNameWithinAGroupOnly) {
  std::string text = Group("web") + "[[group.server]]\nname = \"web-1\"\nhost = \"h1\"\n" +
                     "[[group.server]]\nname = \"web-1\"\nhost = \"h2\"\n" + Group("db") +
                     "[[group.server]]\nname = \"web-1\"\nhost = \"h3\"\n";
  EXPECT_TRUE(OnlyDiagnostic(LoadText(text), "a.toml:10:8", "group.web.server.web-1.name",
                             "duplicate server name `web-1` in group.web (first declared at a.toml:7:8)"));
}

TEST(DuplicateTest, HostProtectedTwiceAcrossFiles) {
  LoadResult result =
      LoadSpecDocuments({{"a.toml", Group("web") + "[[group.server]]\nname = \"web-1\"\nhost = \"h1\"\n"},
                         {"b.toml", Group("db") + "[[group.server]]\nname = \"db-1\"\nhost = \"h1\"\n"}});
  EXPECT_TRUE(
      OnlyDiagnostic(result, "b.toml:8:8", "group.db.server.db-1.host",
                     "host `h1` is already protected by group.web.server.web-1 (a.toml:8:8); a host can "
                     "be protected once"));
}

TEST(SingleDeclarationTest, ProviderAndQuotaInOneFileOnly) {
  LoadResult result = LoadSpecDocuments({{"a.toml", "[provider]\n[quota]\n"},
                                         {"b.toml", "\n[provider]\nroot = \"x\"\n\n[quota]\nagents = 3\n"}});
  ASSERT_EQ(result.diagnostics.size(), 2u) << testing_util::AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "b.toml:2:1", "provider",
                            "[provider] is already declared at a.toml:1:1; declare it in one file only"));
  EXPECT_TRUE(HasDiagnostic(result, "b.toml:5:1", "quota",
                            "[quota] is already declared at a.toml:2:1; declare it in one file only"));
}

TEST(QuotaTest, DefaultQuotaPointsAtTheFirstServerOverIt) {
  // db has 12 servers and web 11: the 21st is web's 9th, whose header is on line 6 + 8 * 3.
  LoadResult result =
      LoadSpecDocuments({{"a.toml", Group("db", 12, "db")}, {"b.toml", Group("web", 11, "web")}});
  EXPECT_TRUE(OnlyDiagnostic(result, "b.toml:30:1", "group.web.server.web-9",
                             "spec declares 23 agents but the quota is 20 (raise [quota] agents, max 200)"));
}

TEST(QuotaTest, SetQuotaPointsAtTheValue) {
  LoadResult result = LoadText("[quota]\nagents = 2\n" + Group("web", 3));
  EXPECT_TRUE(OnlyDiagnostic(result, "a.toml:2:10", "quota.agents",
                             "spec declares 3 agents but the quota is 2 (raise [quota] agents, max 200)"));
}

TEST(QuotaTest, WithinQuotaIsFine) {
  EXPECT_TRUE(LoadText("[quota]\nagents = 3\n" + Group("web", 3)).diagnostics.empty());
  EXPECT_TRUE(LoadText(Group("web", 20)).diagnostics.empty());
}

TEST(QuotaTest, InvalidQuotaIsReportedOnce) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText("[quota]\nagents = 0\n" + Group("web", 3)), "a.toml:2:10",
                             "quota.agents", "must be between 1 and 200"));
}

}  // namespace
}  // namespace cdr::specs
