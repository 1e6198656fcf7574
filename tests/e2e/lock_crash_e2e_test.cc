// Two real cdr processes against one state: the lock refuses the second, and an apply killed with SIGKILL
// mid-way is resumed by the next apply without duplicate resources.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/e2e/cdr_workspace.h"

namespace cdr::e2e {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// Jobs recorded so far, read through `cdr jobs --json` (the state is readable while an apply holds the lock).
size_t JobCount(CdrWorkspace& ws) {
  RunResult r = ws.Cdr({"jobs", "--json", "--limit", "100"});
  if (r.exit_code != 0) return 0;
  auto parsed = nlohmann::json::parse(r.out, nullptr, false);
  return parsed.is_array() ? parsed.size() : 0;
}

TEST(LockTest, SecondApplyIsRefusedWhileTheFirstHoldsTheLock) {
  CdrWorkspace ws;
  ASSERT_EQ(ws.Cdr({"local", "init", "--hosts", "2", "--disk-size-mib", "16", "--op-delay-ms", "700"}).exit_code, 0);
  ws.WriteSpec("web.toml", GroupSpec(2));
  BackgroundCdr first = ws.StartCdr({"apply", "--auto-approve"});
  ASSERT_TRUE(PollUntil([&] { return ws.Cdr({"lock"}).out.find("locked by") != std::string::npos; }, 60s));
  EXPECT_THAT(ws.Cdr({"lock", "list"}).out, HasSubstr("the holder is alive"));

  RunResult second = ws.Cdr({"apply", "--auto-approve"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.err, HasSubstr("state is locked by"));
  EXPECT_THAT(second.err, HasSubstr("(apply, pid " + std::to_string(first.pid())));
  EXPECT_THAT(second.err, HasSubstr("cdr force-unlock"));
  RunResult plan = ws.Cdr({"plan"});
  EXPECT_EQ(plan.exit_code, 1);
  EXPECT_THAT(plan.err, HasSubstr("state is locked by"));

  RunResult done = first.Wait();
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_THAT(ws.Cdr({"lock"}).out, HasSubstr("not locked"));
  EXPECT_EQ(ws.Cdr({"plan", "-detailed-exitcode"}).exit_code, 0);
}

TEST(LockTest, ForceUnlockNeedsTheRightId) {
  CdrWorkspace ws;
  ASSERT_EQ(ws.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
  EXPECT_EQ(ws.Cdr({"force-unlock", "0123456789abcdef"}).exit_code, 1);  // no state at all yet
  EXPECT_FALSE(std::filesystem::exists(ws.dir() / ".cdr" / "state.db"));
  ws.WriteSpec("web.toml", GroupSpec(1));
  ASSERT_EQ(ws.Cdr({"apply", "--auto-approve"}).exit_code, 0);
  RunResult wrong = ws.Cdr({"force-unlock", "0123456789abcdef"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("no lock with id 0123456789abcdef"));
}

// Kills `cdr apply` after `jobs_before_kill` steps have started, then re-applies. One step at a time, so the
// kill lands in a known step (parallel_apply_e2e_test.cc kills several at once).
void KillMidApplyThenResume(size_t jobs_before_kill) {
  CdrWorkspace ws;
  ASSERT_EQ(ws.Cdr({"local", "init", "--hosts", "3", "--disk-size-mib", "16", "--op-delay-ms", "500"}).exit_code, 0);
  ws.WriteSpec("web.toml", GroupSpec(3));
  BackgroundCdr apply = ws.StartCdr({"apply", "--auto-approve", "-parallelism=1"});
  ASSERT_TRUE(PollUntil([&] { return JobCount(ws) >= jobs_before_kill; }, 60s));
  apply.Kill9();
  EXPECT_THAT(ws.Cdr({"lock", "list"}).out, HasSubstr("stale: its process is gone"));
  // The kill landed mid-way: not everything is there yet.
  ASSERT_LT(ws.CountFiles(ws.cloud() / "agents"), 3u);

  RunResult resumed = ws.Cdr({"apply", "--auto-approve"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(ws.CountFiles(ws.cloud() / "peerings"), 1u);
  EXPECT_EQ(ws.CountFiles(ws.cloud() / "endpoints"), 1u);
  EXPECT_EQ(ws.CountFiles(ws.cloud() / "agents"), 3u);
  RunResult plan = ws.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  auto status = nlohmann::json::parse(ws.Cdr({"status", "--json"}).out);
  for (const auto& s : status["groups"][0]["servers"]) EXPECT_EQ(s["state"], "initialized");
  // The step the kill interrupted is not left `running` forever.
  auto jobs = nlohmann::json::parse(ws.Cdr({"jobs", "--json", "--limit", "100"}).out);
  int interrupted = 0;
  for (const auto& j : jobs) {
    EXPECT_NE(j["status"], "running") << j.dump();
    interrupted += j["error"].get<std::string>().rfind("interrupted", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(interrupted, 1);
  // The killed apply is in the history, unfinished; the resuming one is finished.
  auto history = nlohmann::json::parse(ws.Cdr({"history", "--json"}).out);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_TRUE(history[1]["finished_at"].is_null());
  EXPECT_FALSE(history[0]["finished_at"].is_null());
}

TEST(CrashTest, KillDuringPeeringCreateThenReapplyConverges) { KillMidApplyThenResume(2); }
TEST(CrashTest, KillDuringEndpointCreateThenReapplyConverges) { KillMidApplyThenResume(3); }
TEST(CrashTest, KillDuringAgentInstallThenReapplyConverges) { KillMidApplyThenResume(4); }

}  // namespace
}  // namespace cdr::e2e
