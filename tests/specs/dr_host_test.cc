// [group.server.drill] and [group.server.failover]: every key, good and bad, with exact positions.
#include <gtest/gtest.h>

#include "specs/load_spec.h"
#include "tests/specs/spec_test_util.h"

namespace cdr::specs {
namespace {

using testing_util::AllDiagnostics;
using testing_util::HasDiagnostic;
using testing_util::LoadText;
using testing_util::OnlyDiagnostic;
using testing_util::WithServer;

constexpr int64_t k20261125T10 = 1795600800LL * 1'000'000'000;

// [group.server.drill] on line 9 with its name on line 10, then `more` from line 11.
std::string WithDrill(const std::string& more) {
  return WithServer("[group.server.drill]\nname = \"web1-drill\"\n" + more);
}
std::string WithFailover(const std::string& more) {
  return WithServer("[group.server.failover]\nname = \"web1-dr\"\n" + more);
}

const ServerSpec& OnlyServer(const LoadResult& result) { return result.spec.groups.at(0).servers.at(0); }

TEST(DrillTest, EveryKey) {
  LoadResult result = LoadText(WithDrill(R"(flavor = "c4m8"
ip = "10.0.1.5"
disk_type = "sas"
recovery_point = "2026-11-25T18:00:00+08:00"
eip = "203.0.113.7"
verify = "fsck"
)"));
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  const ServerSpec& s = OnlyServer(result);
  ASSERT_TRUE(s.drill.has_value());
  EXPECT_FALSE(s.failover.has_value());
  const DrHostSpec& h = s.drill->host;
  EXPECT_EQ(h.name, "web1-drill");
  EXPECT_EQ(h.flavor, "c4m8");
  EXPECT_EQ(h.ip, "10.0.1.5");
  EXPECT_EQ(h.disk_type, "sas");
  EXPECT_EQ(h.recovery_point.kind, RecoveryPointChoice::Kind::kTime);
  EXPECT_EQ(h.recovery_point.text, "2026-11-25T18:00:00+08:00");
  EXPECT_EQ(h.recovery_point.time_ns, k20261125T10);
  EXPECT_EQ(h.eip, "203.0.113.7");
  EXPECT_EQ(s.drill->verify.kind, DrillVerify::Kind::kFsck);
  EXPECT_EQ(testing_util::Where({h.pos, "", ""}), "a.toml:9:1");
  EXPECT_EQ(testing_util::Where({h.name_pos, "", ""}), "a.toml:10:8");
  EXPECT_EQ(testing_util::Where({h.recovery_point.pos, "", ""}), "a.toml:14:18");
  EXPECT_EQ(testing_util::Where({s.drill->verify.pos, "", ""}), "a.toml:16:10");
}

TEST(DrillTest, Defaults) {
  LoadResult result = LoadText(WithDrill(""));
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  const ServerSpec& s = OnlyServer(result);
  ASSERT_TRUE(s.drill.has_value());
  const DrHostSpec& h = s.drill->host;
  EXPECT_EQ(h.flavor, "c2m4");
  EXPECT_EQ(h.ip, "dhcp");
  EXPECT_EQ(h.disk_type, "");  // the server's dr_disk_type applies
  EXPECT_EQ(h.recovery_point.kind, RecoveryPointChoice::Kind::kLatest);
  EXPECT_EQ(h.recovery_point.text, "latest");
  EXPECT_EQ(testing_util::Where({h.recovery_point.pos, "", ""}), "a.toml:9:1");
  EXPECT_EQ(h.eip, "");
  EXPECT_EQ(s.drill->verify.kind, DrillVerify::Kind::kNone);
  EXPECT_EQ(s.drill->verify.pos.line, 0);
}

TEST(DrillTest, NoTableMeansNoDrill) {
  LoadResult result = LoadText(WithServer(""));
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  EXPECT_FALSE(OnlyServer(result).drill.has_value());
  EXPECT_FALSE(OnlyServer(result).failover.has_value());
}

TEST(DrillTest, InlineTable) {
  LoadResult result =
      LoadText(WithServer("drill = { name = \"web1-drill\", recovery_point = \"rp-20261125T100000Z\" }\n"));
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  const DrHostSpec& h = OnlyServer(result).drill->host;
  EXPECT_EQ(h.recovery_point.kind, RecoveryPointChoice::Kind::kId);
  EXPECT_EQ(h.recovery_point.text, "rp-20261125T100000Z");
  EXPECT_EQ(testing_util::Where({h.pos, "", ""}), "a.toml:9:9");
}

TEST(DrillTest, NameIsRequired) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithServer("[group.server.drill]\nflavor = \"c2m4\"\n")), "a.toml:9:1",
                             "group.web.server.web-1.drill.name", "missing required key `name`"));
}

TEST(DrillTest, NameRules) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithServer("[group.server.drill]\nname = \"web1-\"\n")), "a.toml:10:8",
                             "group.web.server.web-1.drill.name",
                             "invalid DR host name `web1-`: must end with a letter or digit"));
  EXPECT_TRUE(
      OnlyDiagnostic(LoadText(WithServer("[group.server.drill]\nname = \"web1-drill-2026-11\"\n")),
                     "a.toml:10:8", "group.web.server.web-1.drill.name",
                     "invalid DR host name `web1-drill-2026-11`: must be 2–15 characters long (it has 18)"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithServer("[group.server.drill]\nname = \"1web_drill\"\n")),
                             "a.toml:10:8", "group.web.server.web-1.drill.name",
                             "invalid DR host name `1web_drill`: must start with a letter; bad character '_' "
                             "(allowed: letters, digits and '-')"));
}

TEST(DrillTest, FlavorMustNotBeEmpty) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithDrill("flavor = \"\"\n")), "a.toml:11:10",
                             "group.web.server.web-1.drill.flavor", "must not be empty"));
}

TEST(DrillTest, IpDhcpOrAddress) {
  EXPECT_TRUE(OnlyDiagnostic(
      LoadText(WithDrill("ip = \"127.0.0.1\"\n")), "a.toml:11:6", "group.web.server.web-1.drill.ip",
      "must be `dhcp` or an IPv4 host address: `127.0.0.1` is a loopback address (127.0.0.0/8)"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithDrill("ip = \"0.0.0.0\"\n")), "a.toml:11:6",
                             "group.web.server.web-1.drill.ip",
                             "`0.0.0.0` is in 0.0.0.0/8 (\"this network\"), not a host address"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithDrill("ip = \"255.255.255.255\"\n")), "a.toml:11:6",
                             "group.web.server.web-1.drill.ip",
                             "`255.255.255.255` is the broadcast address"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithDrill("ip = \"10.0.1.300\"\n")), "a.toml:11:6",
                             "group.web.server.web-1.drill.ip", "`10.0.1.300` has `300`, more than 255"));
  EXPECT_TRUE(
      OnlyDiagnostic(LoadText(WithDrill("ip = \"DHCP\"\n")), "a.toml:11:6", "group.web.server.web-1.drill.ip",
                     "must be `dhcp` or an IPv4 host address: `DHCP` is not an IPv4 address (four numbers "
                     "0–255 separated by dots, e.g. 10.0.1.5) (did you mean `dhcp`?)"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithDrill("ip = 10\n")), "a.toml:11:6",
                             "group.web.server.web-1.drill.ip", "expected a string, found an integer"));
}

TEST(DrillTest, DiskType) {
  LoadResult result = LoadText(WithDrill("disk_type = \"nvme\"\n"));
  EXPECT_TRUE(OnlyDiagnostic(result, "a.toml:11:13", "group.web.server.web-1.drill.disk_type",
                             "unknown value `nvme`: must be `sata`, `sas` or `ssd`"));
}

TEST(DrillTest, EipMustBeAnAddress) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithDrill("eip = \"dhcp\"\n")), "a.toml:11:7",
                             "group.web.server.web-1.drill.eip",
                             "must be an IPv4 host address: `dhcp` is not an IPv4 address"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithDrill("eip = \"224.0.0.5\"\n")), "a.toml:11:7",
                             "group.web.server.web-1.drill.eip",
                             "`224.0.0.5` is a multicast address (224.0.0.0/4)"));
}

TEST(RecoveryPointTest, UnquotedTomlDateTime) {
  LoadResult result = LoadText(WithDrill("recovery_point = 2026-11-25T18:00:00.5+08:00\n"));
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  const RecoveryPointChoice& rp = OnlyServer(result).drill->host.recovery_point;
  EXPECT_EQ(rp.kind, RecoveryPointChoice::Kind::kTime);
  EXPECT_EQ(rp.time_ns, k20261125T10 + 500'000'000);
  EXPECT_EQ(rp.text, "2026-11-25T18:00:00.5+08:00");
}

TEST(RecoveryPointTest, ZoneIsRequired) {
  EXPECT_TRUE(
      OnlyDiagnostic(LoadText(WithDrill("recovery_point = \"2026-11-25T10:00:00\"\n")), "a.toml:11:18",
                     "group.web.server.web-1.drill.recovery_point",
                     "time `2026-11-25T10:00:00` has no time zone: add `Z` for UTC or an offset such as "
                     "`+08:00`"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithDrill("recovery_point = 2026-11-25T10:00:00\n")), "a.toml:11:18",
                             "group.web.server.web-1.drill.recovery_point",
                             "time `2026-11-25T10:00:00` has no time zone"));
}

TEST(RecoveryPointTest, DateAloneOrWrongType) {
  EXPECT_TRUE(
      OnlyDiagnostic(LoadText(WithDrill("recovery_point = 2026-11-25\n")), "a.toml:11:18",
                     "group.web.server.web-1.drill.recovery_point",
                     "found a date, not a point in time: write a date, a time of day and a zone, e.g. "
                     "2026-11-25T10:00:00Z"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithDrill("recovery_point = 3\n")), "a.toml:11:18",
                             "group.web.server.web-1.drill.recovery_point",
                             "expected a string or a date-time, found an integer"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithDrill("recovery_point = \"\"\n")), "a.toml:11:18",
                             "group.web.server.web-1.drill.recovery_point", "must not be empty"));
}

TEST(RecoveryPointTest, BadIdAndUnknownWord) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithDrill("recovery_point = \"rp-20261125T1000Z\"\n")), "a.toml:11:18",
                             "group.web.server.web-1.drill.recovery_point",
                             "invalid recovery point id `rp-20261125T1000Z`: must be rp-YYYYMMDDTHHMMSSZ"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithDrill("recovery_point = \"newest\"\n")), "a.toml:11:18",
                             "group.web.server.web-1.drill.recovery_point",
                             "unknown value `newest`: must be `latest`"));
}

TEST(VerifyTest, Kinds) {
  LoadResult checksum = LoadText(WithDrill("verify = \"checksum\"\n"));
  ASSERT_TRUE(checksum.diagnostics.empty()) << AllDiagnostics(checksum);
  EXPECT_EQ(OnlyServer(checksum).drill->verify.kind, DrillVerify::Kind::kChecksum);

  LoadResult command = LoadText(WithDrill("verify = 'command: e2fsck -fn \"$CDR_DISK\" '\n"));
  ASSERT_TRUE(command.diagnostics.empty()) << AllDiagnostics(command);
  EXPECT_EQ(OnlyServer(command).drill->verify.kind, DrillVerify::Kind::kCommand);
  EXPECT_EQ(OnlyServer(command).drill->verify.command, "e2fsck -fn \"$CDR_DISK\"");
}

TEST(VerifyTest, Problems) {
  EXPECT_TRUE(OnlyDiagnostic(
      LoadText(WithDrill("verify = \"command:  \"\n")), "a.toml:11:10", "group.web.server.web-1.drill.verify",
      "`command:` needs a shell command after the colon, e.g. `command:test -s \"$CDR_DISK\"`"));
  EXPECT_TRUE(OnlyDiagnostic(
      LoadText(WithDrill("verify = \"fsk\"\n")), "a.toml:11:10", "group.web.server.web-1.drill.verify",
      "unknown value `fsk`: must be `checksum`, `fsck` or `command:<shell command>` (did you "
      "mean `fsck`?)"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithDrill("verify = \"command\"\n")), "a.toml:11:10",
                             "group.web.server.web-1.drill.verify", "(did you mean `command:`?)"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithDrill("verify = { command = \"true\" }\n")), "a.toml:11:10",
                             "group.web.server.web-1.drill.verify", "expected a string, found a table"));
}

TEST(DrillTest, UnknownAndMisplacedKeys) {
  LoadResult result = LoadText(WithDrill("flavour = \"c2m4\"\nconfirm = true\n"));
  ASSERT_EQ(result.diagnostics.size(), 2u) << AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:11:1", "group.web.server.web-1.drill.flavour",
                            "unknown key `flavour`, did you mean `flavor`?"));
  EXPECT_TRUE(HasDiagnostic(
      result, "a.toml:12:11", "group.web.server.web-1.drill.confirm",
      "belongs to [group.server.failover] only: a drill ends by removing [group.server.drill]"));
}

TEST(DrillTest, WrittenAsArrayOfTables) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithServer("[[group.server.drill]]\nname = \"web1-drill\"\n")),
                             "a.toml:9:1", "group.web.server.web-1.drill",
                             "expected a table, found an array"));
}

TEST(DrillTest, ServerWithInvalidNameUsesTheIndexInPaths) {
  LoadResult result = LoadText(std::string(testing_util::kOneServerSpec).replace(std::string(testing_util::kOneServerSpec).find("web-1"), 5, "web_1") +
                               "[group.server.drill]\nname = \"x\"\n");
  ASSERT_EQ(result.diagnostics.size(), 2u) << AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:10:8", "group.web.server[0].drill.name",
                            "invalid DR host name `x`: must be 2–15 characters long (it has 1)"));
}

TEST(FailoverTest, EveryKey) {
  LoadResult result = LoadText(WithFailover(R"(flavor = "c8m16"
ip = "dhcp"
disk_type = "ssd"
recovery_point = "rp-20261125T100000Z-3"
eip = "198.51.100.20"
confirm = true
)"));
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  const ServerSpec& s = OnlyServer(result);
  ASSERT_TRUE(s.failover.has_value());
  EXPECT_FALSE(s.drill.has_value());
  const DrHostSpec& h = s.failover->host;
  EXPECT_EQ(h.name, "web1-dr");
  EXPECT_EQ(h.flavor, "c8m16");
  EXPECT_EQ(h.ip, "dhcp");
  EXPECT_EQ(h.disk_type, "ssd");
  EXPECT_EQ(h.recovery_point.kind, RecoveryPointChoice::Kind::kId);
  EXPECT_EQ(h.recovery_point.text, "rp-20261125T100000Z-3");
  EXPECT_EQ(h.eip, "198.51.100.20");
  EXPECT_TRUE(s.failover->confirm);
  EXPECT_EQ(testing_util::Where({h.pos, "", ""}), "a.toml:9:1");
}

TEST(FailoverTest, Defaults) {
  LoadResult result = LoadText(WithFailover(""));
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  const FailoverSpec& f = *OnlyServer(result).failover;
  EXPECT_FALSE(f.confirm);
  EXPECT_EQ(f.host.flavor, "c2m4");
  EXPECT_EQ(f.host.ip, "dhcp");
  EXPECT_EQ(f.host.recovery_point.kind, RecoveryPointChoice::Kind::kLatest);
}

TEST(FailoverTest, SameHostRulesAsADrill) {
  LoadResult result = LoadText(WithServer(R"([group.server.failover]
name = "-dr"
ip = "10.0.1"
disk_type = "SSD"
recovery_point = "yesterday"
)"));
  ASSERT_EQ(result.diagnostics.size(), 4u) << AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:10:8", "group.web.server.web-1.failover.name",
                            "invalid DR host name `-dr`: must start with a letter"));
  EXPECT_TRUE(
      HasDiagnostic(result, "a.toml:11:6", "group.web.server.web-1.failover.ip", "`10.0.1` is not an IPv4"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:12:13", "group.web.server.web-1.failover.disk_type",
                            "unknown value `SSD`: must be `sata`, `sas` or `ssd` (did you mean `ssd`?)"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:13:18", "group.web.server.web-1.failover.recovery_point",
                            "unknown value `yesterday`"));
}

TEST(FailoverTest, ConfirmIsABoolean) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithFailover("confirm = \"yes\"\n")), "a.toml:11:11",
                             "group.web.server.web-1.failover.confirm",
                             "expected a boolean, found a string"));
}

TEST(FailoverTest, VerifyBelongsToDrills) {
  EXPECT_TRUE(OnlyDiagnostic(
      LoadText(WithFailover("verify = \"fsck\"\n")), "a.toml:11:10", "group.web.server.web-1.failover.verify",
      "belongs to [group.server.drill] only: check the failed-over host yourself, then set "
      "confirm = true"));
}

TEST(FailoverTest, NotWithADrill) {
  LoadResult result = LoadText(WithDrill("[group.server.failover]\nname = \"web1-dr\"\n"));
  EXPECT_TRUE(OnlyDiagnostic(
      result, "a.toml:11:1", "group.web.server.web-1.failover",
      "failover is allowed only with no drill: remove [group.server.drill] (a.toml:9:1) first"));
}

}  // namespace
}  // namespace cdr::specs
