// Renaming a replicating server with `renamed_from`, on the local cloud with real processes: the plan has one
// rename change, and after the apply the same agent and shadow processes run, nothing was synced again and
// the recovery point taken before the rename is listed under the new name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/e2e/cdr_workspace.h"
#include "tests/e2e/status_json.h"

namespace cdr::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

TEST(ServerRenameTest, RenamedServerKeepsItsAgentReplicationAndRecoveryPoints) {
  CdrWorkspace ws;
  ASSERT_EQ(ws.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
  ws.WriteSpec("web.toml", GroupSpec(1, 30, "running"));
  RunResult applied = ws.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  const json before = StatusOfFirstServer(ws);
  ASSERT_EQ(before["state"], "realtime") << before.dump();
  RunResult taken = ws.Cdr({"recovery-points", "web-prod/web-1", "--take", "--json"});
  ASSERT_EQ(taken.exit_code, 0) << taken.out << taken.err;
  const std::string point = json::parse(taken.out)["taken"];
  std::vector<pid_t> processes = ws.CloudProcesses();
  std::sort(processes.begin(), processes.end());
  ASSERT_EQ(processes.size(), 2u);  // the agent and the shadow host

  std::string spec = GroupSpec(1, 30, "running");
  spec =
      std::regex_replace(spec, std::regex("name = \"web-1\""), "name = \"app-1\"\nrenamed_from = \"web-1\"");
  ws.WriteSpec("web.toml", spec);
  RunResult plan = ws.Cdr({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_THAT(plan.out,
              HasSubstr("group.web-prod.server.app-1 will be renamed from group.web-prod.server.web-1"));
  EXPECT_THAT(plan.out, HasSubstr("0 to add, 1 to change, 0 to destroy"));

  RunResult renamed = ws.Cdr({"apply", "-auto-approve"});
  ASSERT_EQ(renamed.exit_code, 0) << renamed.out << renamed.err;
  EXPECT_THAT(renamed.out, Not(HasSubstr("Stopping replication")));
  EXPECT_THAT(renamed.out, Not(HasSubstr("Starting replication")));
  const json after = StatusOfFirstServer(ws);
  EXPECT_EQ(after["address"], "group.web-prod.server.app-1");
  EXPECT_EQ(after["state"], "realtime") << after.dump();
  EXPECT_EQ(after["shadow_host_id"], before["shadow_host_id"]);
  std::vector<pid_t> now = ws.CloudProcesses();
  std::sort(now.begin(), now.end());
  EXPECT_EQ(now, processes);
  RunResult points = ws.Cdr({"recovery-points", "web-prod/app-1", "--json"});
  ASSERT_EQ(points.exit_code, 0) << points.out << points.err;
  bool kept = false;
  const json listed = json::parse(points.out);
  for (const auto& p : listed["points"]) kept = kept || p["id"] == point;
  EXPECT_TRUE(kept) << point << " not in " << points.out;
  EXPECT_EQ(ws.Cdr({"plan", "-detailed-exitcode"}).exit_code, 0);
}

}  // namespace
}  // namespace cdr::e2e
