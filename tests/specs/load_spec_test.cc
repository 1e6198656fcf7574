#include "specs/load_spec.h"

#include <gtest/gtest.h>

#include <tuple>

#include "common/digest.h"
#include "tests/specs/spec_test_util.h"

namespace cdr::specs {
namespace {

using testing_util::HasDiagnostic;
using testing_util::LoadText;
using testing_util::OnlyDiagnostic;
using testing_util::TempDir;

constexpr char kFullSpec[] = R"(# every key written out
[provider]
type = "local"
root = "/var/lib/cdr/cloud"

[quota]
agents = 50

[[group]]
name = "web-prod"
renamed_from = "web"
production_zone = "az1"
dr_zone = "az2"
vpc = "vpc-web"
rpo_alert_seconds = 60

[[group.server]]
name = "web-1"
host = "host-1"
replication = "stopped"
dr_disk_type = "sas"
auto_restart = false
recovery_points = { every_hours = 2, keep = 48 }

[[group.server]]
name = "web-2"
host = "host-2"

[[group]]
name = "db"
production_zone = "az1"
dr_zone = "az3"
vpc = "vpc-db"
)";

TEST(LoadSpecTest, FullSpecParsesWithDefaultsApplied) {
  LoadResult result = LoadText(kFullSpec, "specs/all.toml");
  ASSERT_TRUE(result.diagnostics.empty()) << testing_util::AllDiagnostics(result);
  const Spec& spec = result.spec;
  EXPECT_EQ(spec.provider.type, ProviderType::kLocal);
  EXPECT_EQ(spec.provider.root, "/var/lib/cdr/cloud");
  EXPECT_EQ(spec.provider.pos.line, 2);
  EXPECT_EQ(spec.quota.agents, 50);
  EXPECT_EQ(spec.quota.pos.line, 6);
  ASSERT_EQ(spec.groups.size(), 2u);

  const GroupSpec& web = spec.groups[0];
  EXPECT_EQ(web.name, "web-prod");
  EXPECT_EQ(web.renamed_from, "web");
  EXPECT_EQ(web.production_zone, "az1");
  EXPECT_EQ(web.dr_zone, "az2");
  EXPECT_EQ(web.vpc, "vpc-web");
  EXPECT_EQ(web.rpo_alert_seconds, 60);
  EXPECT_EQ(web.pos.file, "specs/all.toml");
  EXPECT_EQ(web.pos.line, 9);
  EXPECT_EQ(web.name_pos.line, 10);
  EXPECT_EQ(web.name_pos.column, 8);
  EXPECT_EQ(web.renamed_from_pos.line, 11);
  ASSERT_EQ(web.servers.size(), 2u);

  const ServerSpec& web1 = web.servers[0];
  EXPECT_EQ(web1.name, "web-1");
  EXPECT_EQ(web1.host, "host-1");
  EXPECT_EQ(web1.replication, Replication::kStopped);
  EXPECT_EQ(web1.dr_disk_type, "sas");
  EXPECT_FALSE(web1.auto_restart);
  EXPECT_EQ(web1.recovery_points.every_hours, 2);
  EXPECT_EQ(web1.recovery_points.keep, 48);
  EXPECT_EQ(web1.pos.line, 17);
  EXPECT_EQ(web1.host_pos.line, 19);
  EXPECT_EQ(web1.host_pos.column, 8);

  const ServerSpec& web2 = web.servers[1];
  EXPECT_EQ(web2.replication, Replication::kRunning);
  EXPECT_EQ(web2.dr_disk_type, "ssd");
  EXPECT_TRUE(web2.auto_restart);
  EXPECT_EQ(web2.recovery_points.every_hours, 1);
  EXPECT_EQ(web2.recovery_points.keep, 24);

  const GroupSpec& db = spec.groups[1];
  EXPECT_EQ(db.renamed_from, std::nullopt);
  EXPECT_EQ(db.rpo_alert_seconds, 30);
  EXPECT_TRUE(db.servers.empty());
  EXPECT_EQ(spec.files, std::vector<std::string>{"specs/all.toml"});
  EXPECT_EQ(spec.digest.size(), 64u);
}

TEST(LoadSpecTest, ProviderAndQuotaDefaultWhenAbsent) {
  LoadResult result =
      LoadText("[[group]]\nname = \"g1\"\nproduction_zone = \"a\"\ndr_zone = \"b\"\nvpc = \"v\"\n");
  ASSERT_TRUE(result.diagnostics.empty()) << testing_util::AllDiagnostics(result);
  EXPECT_EQ(result.spec.provider.type, ProviderType::kLocal);
  EXPECT_EQ(result.spec.provider.root, ".cdr/cloud");
  EXPECT_EQ(result.spec.provider.pos.file, "a.toml");
  EXPECT_EQ(result.spec.quota.agents, 20);
}

TEST(LoadSpecTest, SingleFileFromDisk) {
  TempDir dir;
  std::filesystem::path file = dir.Write("web.toml", kFullSpec);
  LoadResult result = LoadSpec(file);
  ASSERT_TRUE(result.diagnostics.empty()) << testing_util::AllDiagnostics(result);
  EXPECT_EQ(result.spec.files, std::vector<std::string>{file.string()});
  EXPECT_EQ(result.spec.groups.size(), 2u);
  EXPECT_EQ(result.spec.groups[0].pos.file, file.string());
}

constexpr char kWebFile[] = R"([provider]
type = "local"

[[group]]
name = "web"
production_zone = "az1"
dr_zone = "az2"
vpc = "vpc-web"

[[group.server]]
name = "web-1"
host = "host-1"
)";

constexpr char kDbFile[] = R"([[group]]
name = "db"
production_zone = "az1"
dr_zone = "az2"
vpc = "vpc-db"

[[group.server]]
name = "db-1"
host = "host-2"
)";

TEST(LoadSpecTest, DirectoryMergesFilesInNameOrder) {
  TempDir dir;
  dir.Write("b-web.toml", kWebFile);
  dir.Write("a-db.toml", kDbFile);
  dir.Write("notes.txt", "not toml at all [");
  LoadResult result = LoadSpec(dir.path());
  ASSERT_TRUE(result.diagnostics.empty()) << testing_util::AllDiagnostics(result);
  const std::string a = (dir.path() / "a-db.toml").string();
  const std::string b = (dir.path() / "b-web.toml").string();
  EXPECT_EQ(result.spec.files, (std::vector<std::string>{a, b}));
  ASSERT_EQ(result.spec.groups.size(), 2u);
  EXPECT_EQ(result.spec.groups[0].name, "db");
  EXPECT_EQ(result.spec.groups[0].pos.file, a);
  EXPECT_EQ(result.spec.groups[1].name, "web");
  EXPECT_EQ(result.spec.groups[1].servers[0].host_pos.file, b);
  EXPECT_EQ(result.spec.provider.pos.file, b);
}

TEST(LoadSpecTest, DigestIsStableAndCoversNamesAndBytes) {
  TempDir dir;
  dir.Write("a-db.toml", kDbFile);
  dir.Write("b-web.toml", kWebFile);
  const std::string first = LoadSpec(dir.path()).spec.digest;
  EXPECT_EQ(LoadSpec(dir.path()).spec.digest, first);

  Sha256 expected;
  for (const auto& [name, text] : {std::pair{"a-db.toml", kDbFile}, std::pair{"b-web.toml", kWebFile}}) {
    expected.Update(name);
    expected.Update(std::string_view("\0", 1));
    expected.Update(text);
    expected.Update(std::string_view("\0", 1));
  }
  EXPECT_EQ(first, expected.HexDigest());

  std::string changed = kWebFile;
  changed.back() = ' ';  // one byte, still valid TOML
  dir.Write("b-web.toml", changed);
  LoadResult after = LoadSpec(dir.path());
  EXPECT_TRUE(after.diagnostics.empty());
  EXPECT_NE(after.spec.digest, first);

  // The same files reached through another spelling of the directory give the same digest.
  EXPECT_EQ(LoadSpec(dir.path() / ".").spec.digest, after.spec.digest);
}

TEST(LoadSpecTest, MissingPath) {
  TempDir dir;
  const std::string missing = (dir.path() / "nope").string();
  LoadResult result = LoadSpec(missing);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(FormatDiagnostic(result.diagnostics[0]), missing + ": no such file or directory");
}

TEST(LoadSpecTest, EmptyDirectory) {
  TempDir dir;
  dir.Write("README.md", "# no toml here");
  LoadResult result = LoadSpec(dir.path());
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(FormatDiagnostic(result.diagnostics[0]),
            dir.path().string() + ": directory contains no *.toml files");
}

TEST(LoadSpecTest, SyntaxErrorInOneFileStillChecksTheOthers) {
  TempDir dir;
  dir.Write("a.toml", "[[group]]\nname = \n");
  dir.Write("b.toml",
            "[[group]]\nname = \"ok\"\nproduction_zone = \"az1\"\ndr_zone = \"az1\"\nvpc = \"v\"\n");
  LoadResult result = LoadSpec(dir.path());
  ASSERT_EQ(result.diagnostics.size(), 2u) << testing_util::AllDiagnostics(result);
  const std::string a = (dir.path() / "a.toml").string();
  const std::string b = (dir.path() / "b.toml").string();
  EXPECT_TRUE(HasDiagnostic(result, a + ":2:8", "", "TOML syntax error: "));
  EXPECT_TRUE(HasDiagnostic(result, b + ":4:11", "group.ok.dr_zone", "must differ from production_zone"));
  EXPECT_EQ(result.spec.files, (std::vector<std::string>{a, b}));
}

TEST(LoadSpecTest, DiagnosticsSortedByFileLineColumn) {
  LoadResult result = LoadSpecDocuments({
      {"b.toml", "zeta = 1\n[[group]]\nname = \"x\"\n"},
      {"a.toml", "[quota]\nagents = 0\nbogus = 1\n"},
  });
  ASSERT_GE(result.diagnostics.size(), 4u) << testing_util::AllDiagnostics(result);
  for (size_t i = 1; i < result.diagnostics.size(); ++i) {
    const SourcePos& p = result.diagnostics[i - 1].pos;
    const SourcePos& q = result.diagnostics[i].pos;
    EXPECT_LE(std::tie(p.file, p.line, p.column), std::tie(q.file, q.line, q.column));
  }
  EXPECT_EQ(result.diagnostics.front().pos.file, "a.toml");
}

TEST(LoadSpecDocumentsTest, NoDocumentsIsADiagnostic) {
  EXPECT_TRUE(OnlyDiagnostic(LoadSpecDocuments({}), ":0:0", "", "no files"));
}

}  // namespace
}  // namespace cdr::specs
