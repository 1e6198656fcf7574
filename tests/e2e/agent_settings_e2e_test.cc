// The spec's agent settings on the local cloud with real processes: an apply starts replication with a rate
// and a journal cap that the agent then reports; a new rate in the spec is an update in place, and after its
// apply the same agent process reports it, still in realtime, with no second full sync and no repair.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/e2e/cdr_workspace.h"
#include "tests/e2e/status_json.h"

namespace cdr::e2e {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

std::string SpecWithRate(int rate_mib) {
  return std::regex_replace(GroupSpec(1, 30, "running"), std::regex("replication = \"running\"\n"),
                            "replication = \"running\"\nreplication_rate_mib = " + std::to_string(rate_mib) +
                                "\njournal_max_mib = 512\n");
}

TEST(AgentSettingsTest, RateAndJournalCapReachTheAgentAndARateChangeIsAppliedInPlace) {
  CdrWorkspace ws;
  ASSERT_EQ(ws.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
  ws.WriteSpec("web.toml", SpecWithRate(20));
  RunResult applied = ws.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  const json before = StatusOfFirstServer(ws);
  ASSERT_EQ(before["state"], "realtime") << before.dump();
  EXPECT_EQ(before["agent_settings"]["replication_rate_mib"], 20) << before.dump();
  EXPECT_EQ(before["agent_settings"]["journal_max_mib"], 512) << before.dump();
  EXPECT_EQ(before["agent_settings"]["replication_mode"], "async")
      << before.dump();  // not in the spec: default
  std::vector<pid_t> processes = ws.CloudProcesses();
  std::sort(processes.begin(), processes.end());

  ws.WriteSpec("web.toml", SpecWithRate(40));
  RunResult plan = ws.Cdr({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("group.web-prod.server.web-1 will be updated in-place"));
  EXPECT_THAT(plan.out, HasSubstr("in place (no resync)"));
  EXPECT_THAT(plan.out, ContainsRegex("replication_rate_mib += 20 -> 40"));
  EXPECT_THAT(plan.out, HasSubstr("0 to add, 1 to change, 0 to destroy"));

  RunResult changed = ws.Cdr({"apply", "-auto-approve"});
  ASSERT_EQ(changed.exit_code, 0) << changed.out << changed.err;
  EXPECT_THAT(changed.out, Not(HasSubstr("Stopping replication")));
  EXPECT_THAT(changed.out, Not(HasSubstr("Starting replication")));
  const json after = StatusOfFirstServer(ws);
  EXPECT_EQ(after["agent_settings"]["replication_rate_mib"], 40) << after.dump();
  EXPECT_EQ(after["agent_settings"]["journal_max_mib"], 512) << after.dump();
  EXPECT_EQ(after["state"], "realtime") << after.dump();
  EXPECT_EQ(after["full_sync_bytes_sent"], before["full_sync_bytes_sent"]) << after.dump();
  EXPECT_EQ(after["repair_bytes_sent"], 0) << after.dump();
  std::vector<pid_t> now = ws.CloudProcesses();
  std::sort(now.begin(), now.end());
  EXPECT_EQ(now, processes);  // the same agent took the new rate: no restart
  EXPECT_EQ(ws.Cdr({"plan", "-detailed-exitcode"}).exit_code, 0);
}

}  // namespace
}  // namespace cdr::e2e
