// `cdr drift` through the real binary: refresh only, exit 2 only on real differences.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/e2e/cdr_workspace.h"

namespace cdr::e2e {
namespace {

using ::testing::HasSubstr;

class DriftTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "2", "--disk-size-mib", "16"}).exit_code, 0);
    ws_.WriteSpec("web.toml", GroupSpec(2));
    ASSERT_EQ(ws_.Cdr({"apply", "--auto-approve"}).exit_code, 0);
  }
  CdrWorkspace ws_;
};

TEST_F(DriftTest, NoDriftExitsZero) {
  RunResult r = ws_.Cdr({"drift"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("No drift"));
}

TEST_F(DriftTest, PeeringDeletedBehindCdrsBackIsFoundAndRepaired) {
  for (const auto& e : std::filesystem::directory_iterator(ws_.cloud() / "peerings")) std::filesystem::remove(e);

  RunResult text = ws_.Cdr({"drift"});
  EXPECT_EQ(text.exit_code, 2);
  EXPECT_THAT(text.out, HasSubstr("group.web-prod.peering (deleted): VPC peering pcx-"));
  EXPECT_THAT(text.out, HasSubstr("was deleted outside cdr"));

  RunResult json = ws_.Cdr({"drift", "--json"});
  EXPECT_EQ(json.exit_code, 2);
  auto report = nlohmann::json::parse(json.out);
  EXPECT_EQ(report["format_version"], "1");
  EXPECT_EQ(report["drift_detected"], true);
  ASSERT_EQ(report["drifted"].size(), 1u);
  EXPECT_EQ(report["drifted"][0]["address"], "group.web-prod.peering");

  RunResult md = ws_.Cdr({"drift", "--markdown"});
  EXPECT_EQ(md.exit_code, 2);
  EXPECT_THAT(md.out, HasSubstr("| `group.web-prod.peering` | peering | deleted |"));

  RunResult plan = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2);
  EXPECT_THAT(plan.out, HasSubstr("Plan: 1 to add, 0 to change, 0 to destroy"));
  ASSERT_EQ(ws_.Cdr({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "peerings"), 1u);
  EXPECT_EQ(ws_.Cdr({"drift"}).exit_code, 0);
}

TEST_F(DriftTest, AgentRemovedIsReinstalledAndHostGoneNeedsTheSpec) {
  // Every agent process stops (as after a host reboot); then host-1's agent is removed altogether.
  ASSERT_EQ(ws_.Cdr({"local", "down"}).exit_code, 0);
  std::filesystem::remove_all(ws_.cloud() / "agents" / "host-1");
  RunResult agent = ws_.Cdr({"drift", "--json"});
  EXPECT_EQ(agent.exit_code, 2);
  const auto drifted = nlohmann::json::parse(agent.out)["drifted"];
  ASSERT_EQ(drifted.size(), 2u) << agent.out;
  EXPECT_EQ(drifted[0]["problem"], "agent_missing");
  EXPECT_EQ(drifted[1]["problem"], "agent_stopped");
  EXPECT_EQ(drifted[1]["address"], "group.web-prod.server.web-2");
  RunResult plan = ws_.Cdr({"plan"});
  EXPECT_THAT(plan.out, HasSubstr("> server \"group.web-prod.server.web-1\""));
  EXPECT_THAT(plan.out, HasSubstr("group.web-prod.server.web-2 will have its agent process restarted"));
  ASSERT_EQ(ws_.Cdr({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(ws_.Cdr({"drift"}).exit_code, 0);

  ASSERT_EQ(ws_.Cdr({"local", "delete-host", "host-2"}).exit_code, 0);
  RunResult gone = ws_.Cdr({"drift"});
  EXPECT_EQ(gone.exit_code, 2);
  EXPECT_THAT(gone.out, HasSubstr("host host-2 no longer exists"));
  RunResult refused = ws_.Cdr({"plan"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("specs/web.toml:19:8: group.web-prod.server.web-2.host: host host-2 no longer "
                                     "exists"));
  EXPECT_THAT(refused.err, HasSubstr("The plan cannot be made: 1 problem above."));
  ws_.WriteSpec("web.toml", GroupSpec(1));
  ASSERT_EQ(ws_.Cdr({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(ws_.Cdr({"drift"}).exit_code, 0);
}

}  // namespace
}  // namespace cdr::e2e
