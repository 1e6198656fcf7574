// [group.failover] and [group.failback] (specs/internal/group_tables.h): read, validated, and expanded into every
// server's own failover / failback; a per-server table of the same kind in that group is an error with both
// positions. The plan's side is tests/reconcile/group_failover_test.cc.
#include <gtest/gtest.h>

#include "specs/load_spec.h"
#include "tests/specs/spec_test_util.h"

namespace cdr::specs {
namespace {

using testing_util::AllDiagnostics;
using testing_util::HasDiagnostic;
using testing_util::LoadText;
using testing_util::OnlyDiagnostic;

// Lines 1–11: group `web` with web-1 (host-1) and web-2 (host-2); tests append from line 12.
constexpr char kTwoServers[] = R"([[group]]
name = "web"
production_zone = "az1"
dr_zone = "az2"
vpc = "vpc-web"
[[group.server]]
name = "web-1"
host = "host-1"
[[group.server]]
name = "web-2"
host = "host-2"
)";

LoadResult Load(const std::string& more) { return LoadText(std::string(kTwoServers) + more); }

TEST(GroupTablesTest, GroupFailoverIsExpandedIntoEveryServer) {
  LoadResult result = Load("[group.failover]\nrecovery_point = \"rp-20261125T100000Z-g042\"\nconfirm = true\n"
                           "flavor = \"c4m8\"\ndisk_type = \"sas\"\n");
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  const GroupSpec& g = result.spec.groups.at(0);
  ASSERT_TRUE(g.failover.has_value());
  EXPECT_EQ(g.failover->pos.line, 12);
  for (const ServerSpec& s : g.servers) {
    ASSERT_TRUE(s.failover.has_value()) << s.name;
    EXPECT_TRUE(s.failover->from_group);
    EXPECT_TRUE(s.failover->confirm);
    EXPECT_EQ(s.failover->host.name, s.name + "-dr");
    EXPECT_EQ(s.failover->host.flavor, "c4m8");
    EXPECT_EQ(s.failover->host.disk_type, "sas");
    EXPECT_EQ(s.failover->host.ip, "dhcp");
    EXPECT_EQ(s.failover->host.recovery_point.kind, RecoveryPointChoice::Kind::kId);
    EXPECT_EQ(s.failover->host.recovery_point.text, "rp-20261125T100000Z-g042");
    EXPECT_EQ(s.failover->host.pos.line, 12) << "the plan's refusals point at the group table";
  }
}

TEST(GroupTablesTest, GroupFailbackIsExpandedIntoEveryServer) {
  LoadResult result = Load("[group.failover]\nconfirm = true\n[group.failback]\nrestore_to_original = false\n"
                           "name_suffix = \"-new\"\ncutover = false\n");
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  for (const ServerSpec& s : result.spec.groups.at(0).servers) {
    ASSERT_TRUE(s.failback.has_value()) << s.name;
    EXPECT_TRUE(s.failback->from_group);
    EXPECT_FALSE(s.failback->restore_to_original);
    EXPECT_FALSE(s.failback->cutover);
    EXPECT_EQ(s.failback->name, s.name + "-new");
    EXPECT_EQ(s.failback->pos.line, 14);
    EXPECT_EQ(s.failover->host.recovery_point.kind, RecoveryPointChoice::Kind::kLatest);
  }
}

TEST(GroupTablesTest, AGroupTableAndAServersOwnTableOfTheSameKindAreAnError) {
  const std::string per_server = "[group.server.failover]\nname = \"w2-dr\"\n";  // belongs to web-2 (line 12)
  EXPECT_TRUE(OnlyDiagnostic(Load(per_server + "[group.failover]\n"), "a.toml:12:1",
                             "group.web.server.web-2.failover",
                             "the group declares [group.failover] (a.toml:14:1), which fails every server of the "
                             "group over at one point: remove this [group.server.failover], or remove "
                             "[group.failover] to do it server by server"));
  EXPECT_TRUE(OnlyDiagnostic(Load("[group.server.failback]\n[group.failback]\n"), "a.toml:12:1",
                             "group.web.server.web-2.failback", "the group declares [group.failback] (a.toml:13:1)"));
}

TEST(GroupTablesTest, PerServerKeysAndBadValuesAreReportedWithPositions) {
  EXPECT_TRUE(OnlyDiagnostic(Load("[group.failover]\nname = \"x-dr\"\n"), "a.toml:13:8", "group.web.failover.name",
                             "belongs to [group.server.failover] only"));
  EXPECT_TRUE(OnlyDiagnostic(Load("[group.failover]\nip = \"10.0.0.5\"\n"), "a.toml:13:6", "group.web.failover.ip",
                             "every server's DR host needs its own"));
  EXPECT_TRUE(OnlyDiagnostic(Load("[group.failover]\nrecovery_point = \"rp-1\"\n"), "a.toml:13:18",
                             "group.web.failover.recovery_point", "invalid recovery point id `rp-1`"));
  const LoadResult long_names = Load("[group.failover]\nname_suffix = \"-disaster-recovery\"\n");
  EXPECT_EQ(long_names.diagnostics.size(), 2u) << AllDiagnostics(long_names);  // one per server
  for (const char* server : {"web-1", "web-2"}) {
    EXPECT_TRUE(HasDiagnostic(long_names, "a.toml:13:15", "group.web.failover.name_suffix",
                              std::string("server ") + server + "'s DR host would be named `" + server +
                                  "-disaster-recovery` (its name + name_suffix): must be 2–15 characters"));
  }
  EXPECT_TRUE(OnlyDiagnostic(Load("[group.failover]\nconfrim = true\n"), "a.toml:13:1", "group.web.failover.confrim",
                             "did you mean `confirm`?"));
  EXPECT_TRUE(OnlyDiagnostic(Load("[group.failback]\nrestore_to_original = false\n"), "a.toml:12:1",
                             "group.web.failback.name_suffix", "give name_suffix"));
  EXPECT_TRUE(OnlyDiagnostic(Load("[group.failback]\nname_suffix = \"-new\"\n"), "a.toml:13:15",
                             "group.web.failback.name_suffix", "set restore_to_original = false"));
}

TEST(GroupTablesTest, DerivedDrHostNamesTakePartInTheNameChecks) {
  // web-1 + "-dr" = web-1-dr, a name the spec's third server already has.
  LoadResult result = Load("[[group.server]]\nname = \"web-1-dr\"\nhost = \"host-3\"\n[group.failover]\n");
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:15:1", "group.web.server.web-1.failover.name",
                            "DR host name `web-1-dr` is already taken by server group.web.server.web-1-dr"));
}

TEST(GroupTablesTest, AServerWithADrillCannotFailOverWithItsGroup) {
  EXPECT_TRUE(OnlyDiagnostic(Load("[group.server.drill]\nname = \"w2-drill\"\n[group.failover]\n"), "a.toml:14:1",
                             "group.web.failover",
                             "failover is allowed only with no drill: server web-2 has [group.server.drill] "
                             "(a.toml:12:1); remove it first"));
}

}  // namespace
}  // namespace cdr::specs
