// Plan-time host rules (docs/state-machine.md): one diagnostic per broken rule, at the server's `host` value.
#include "reconcile/host_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile {
namespace {

using ::testing::HasSubstr;

constexpr char kSpec[] = R"([[group]]
name = "web"
production_zone = "az1"
dr_zone = "az2"
vpc = "vpc-web"

[[group.server]]
name = "small"
host = "host-small"

[[group.server]]
name = "windows"
host = "host-ntfs"

[[group.server]]
name = "elsewhere"
  host = "host-vpc"

[[group.server]]
name = "otherzone"
host = "host-zone"

[[group.server]]
name = "ghost"
host = "host-missing"

[[group.server]]
name = "fine"
host = "host-xfs"
)";

class HostChecksTest : public test_util::ReconcileTest {
 protected:
  void SetUp() override {
    ReconcileTest::SetUp();
    fake_.AddHost("host-small", "az1", "vpc-web", 1, 2048);
    fake_.AddHost("host-ntfs", "az1", "vpc-web", 2, 4096, "ntfs");
    fake_.AddHost("host-vpc", "az1", "vpc-other");
    fake_.AddHost("host-zone", "az3", "vpc-web");
    fake_.AddHost("host-xfs", "az1", "vpc-web", 4, 8192, "xfs");
  }

  // The diagnostics for one server's host.
  std::vector<specs::Diagnostic> For(const std::vector<specs::Diagnostic>& all, const std::string& server) {
    std::vector<specs::Diagnostic> out;
    for (const auto& d : all) {
      if (d.path == "group.web.server." + server + ".host") out.push_back(d);
    }
    return out;
  }

  void ExpectOneAt(const std::vector<specs::Diagnostic>& all, const std::string& server, int line, int column,
                   const std::string& text) {
    auto ds = For(all, server);
    ASSERT_EQ(ds.size(), 1u) << server << ":\n" << test_util::DiagnosticsText(all);
    EXPECT_EQ(ds[0].pos.file, "test.toml") << server;
    EXPECT_EQ(ds[0].pos.line, line) << server;
    EXPECT_EQ(ds[0].pos.column, column) << server;
    EXPECT_THAT(ds[0].message, HasSubstr(text)) << server;
  }
};

TEST_F(HostChecksTest, EachBrokenRuleIsOneDiagnosticAtTheHostValue) {
  PlanResult r = PlanFor(kSpec);
  EXPECT_EQ(r.errors.size(), 5u) << test_util::DiagnosticsText(r.errors);
  ExpectOneAt(r.errors, "small", 9, 8,
              "has 1 vCPU and 2048 MiB memory; a protected server needs at least 2 vCPU and 4 GiB");
  ExpectOneAt(r.errors, "windows", 13, 8, "uses filesystem ntfs; supported filesystems are ext4 and xfs");
  ExpectOneAt(r.errors, "elsewhere", 17, 10, "is in VPC vpc-other but group web protects VPC vpc-web");
  ExpectOneAt(r.errors, "otherzone", 21, 8, "is in zone az3 but group web protects zone az1");
  ExpectOneAt(r.errors, "ghost", 25, 8, "host `host-missing` does not exist in the provider");
  EXPECT_TRUE(For(r.errors, "fine").empty());
}

TEST_F(HostChecksTest, MemoryAloneBelowTheMinimumIsRefused) {
  std::map<std::string, providers::HostFacts> hosts;
  hosts["h"] = fake_.AddHost("h", "az1", "vpc-web", 8, 4095);
  const specs::Spec& spec = LoadSpec(test_util::GroupToml("web", test_util::ServerToml("s1", "h")));
  std::vector<specs::Diagnostic> errors;
  CheckHostFacts(spec.groups[0], spec.groups[0].servers[0], hosts, &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("4095 MiB"));

  errors.clear();
  hosts["h"].memory_mib = 4096;
  hosts["h"].vcpus = 2;
  CheckHostFacts(spec.groups[0], spec.groups[0].servers[0], hosts, &errors);
  EXPECT_TRUE(errors.empty()) << test_util::DiagnosticsText(errors);
}

TEST_F(HostChecksTest, HostRulesAlsoApplyToServersAlreadyInTheState) {
  Converge(test_util::WebSpec());
  fake_.AddHost("host-1", "az1", "vpc-web", 2, 4096, "btrfs");
  PlanResult r = PlanFor(test_util::WebSpec());
  ASSERT_EQ(r.errors.size(), 1u) << test_util::DiagnosticsText(r.errors);
  EXPECT_EQ(r.errors[0].path, "group.web.server.web-1.host");
  EXPECT_THAT(r.errors[0].message, HasSubstr("btrfs"));
}

}  // namespace
}  // namespace cdr::reconcile
