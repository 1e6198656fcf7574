// DR host names across the whole spec: unlike every server name and host, and unique among DR hosts.
#include <gtest/gtest.h>

#include "specs/load_spec.h"
#include "tests/specs/spec_test_util.h"

namespace cdr::specs {
namespace {

using testing_util::AllDiagnostics;
using testing_util::HasDiagnostic;
using testing_util::OnlyDiagnostic;

// A group with its header on line 1 and name on line 2 (5 lines).
std::string GroupTable(const std::string& name) {
  return "[[group]]\nname = \"" + name + "\"\nproduction_zone = \"az1\"\ndr_zone = \"az2\"\nvpc = \"v\"\n";
}
// A server (3 lines) with an optional DR host table (2 lines): `kind` is "drill", "failover" or "".
std::string Server(const std::string& name, const std::string& host, const std::string& kind = "",
                   const std::string& dr_name = "") {
  std::string text = "[[group.server]]\nname = \"" + name + "\"\nhost = \"" + host + "\"\n";
  if (!kind.empty()) text += "[group.server." + kind + "]\nname = \"" + dr_name + "\"\n";
  return text;
}

TEST(DrHostNameTest, DistinctNamesAreFine) {
  LoadResult result =
      LoadSpecDocuments({{"a.toml", GroupTable("web") + Server("web-1", "h1", "drill", "web1-drill") +
                                        Server("web-2", "h2", "failover", "web2-dr")},
                         {"b.toml", GroupTable("db") + Server("db-1", "h3", "drill", "db1-drill")}});
  EXPECT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
}

TEST(DrHostNameTest, SameAsAServerName) {
  // web-2's drill name (line 13) is the name of server web-1 (line 7).
  LoadResult result = LoadSpecDocuments(
      {{"a.toml", GroupTable("web") + Server("web-1", "h1") + Server("web-2", "h2", "drill", "web-1")}});
  EXPECT_TRUE(
      OnlyDiagnostic(result, "a.toml:13:8", "group.web.server.web-2.drill.name",
                     "DR host name `web-1` is already taken by server group.web.server.web-1 (`web-1` at "
                     "a.toml:7:8); a DR host needs a name of its own"));
}

TEST(DrHostNameTest, SameAsItsOwnServerName) {
  LoadResult result =
      LoadSpecDocuments({{"a.toml", GroupTable("web") + Server("web-1", "h1", "failover", "web-1")}});
  EXPECT_TRUE(OnlyDiagnostic(result, "a.toml:10:8", "group.web.server.web-1.failover.name",
                             "is already taken by server group.web.server.web-1 (`web-1` at a.toml:7:8)"));
}

TEST(DrHostNameTest, SameAsAHostInAnotherFileIgnoringCase) {
  LoadResult result =
      LoadSpecDocuments({{"a.toml", GroupTable("web") + Server("web-1", "web-1-host")},
                         {"b.toml", GroupTable("db") + Server("db-1", "db-1-host", "drill", "WEB-1-HOST")}});
  EXPECT_TRUE(
      OnlyDiagnostic(result, "b.toml:10:8", "group.db.server.db-1.drill.name",
                     "DR host name `WEB-1-HOST` is already taken by the host of group.web.server.web-1 "
                     "(`web-1-host` at a.toml:8:8)"));
}

TEST(DrHostNameTest, TwoDrHostsWithOneName) {
  LoadResult result =
      LoadSpecDocuments({{"a.toml", GroupTable("web") + Server("web-1", "h1", "drill", "shared-dr")},
                         {"b.toml", GroupTable("db") + Server("db-1", "h2", "failover", "Shared-DR")}});
  EXPECT_TRUE(
      OnlyDiagnostic(result, "b.toml:10:8", "group.db.server.db-1.failover.name",
                     "DR host name `Shared-DR` is already used by DR host group.web.server.web-1.drill "
                     "(`shared-dr` at a.toml:10:8)"));
}

TEST(DrHostNameTest, InvalidNamesAreReportedOnlyByTheirRule) {
  LoadResult result = LoadSpecDocuments({{"a.toml", GroupTable("web") + Server("web-1", "h1", "drill", "dr_1") +
                                                        Server("web-2", "h2", "drill", "dr_1")}});
  ASSERT_EQ(result.diagnostics.size(), 2u) << AllDiagnostics(result);
  EXPECT_TRUE(
      HasDiagnostic(result, "a.toml:10:8", "group.web.server.web-1.drill.name", "invalid DR host name"));
  EXPECT_TRUE(
      HasDiagnostic(result, "a.toml:15:8", "group.web.server.web-2.drill.name", "invalid DR host name"));
}

}  // namespace
}  // namespace cdr::specs
