// `cdr apply -parallelism=N` with the real local provider: the steps of different servers run at the same
// time, an apply killed with SIGKILL while several of them run is resumed by the next apply, and a server
// that fails does not stop its siblings (the command exits 1 naming it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/e2e/cdr_workspace.h"

namespace cdr::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

nlohmann::json Jobs(CdrWorkspace& ws) {
  RunResult r = ws.Cdr({"jobs", "--json", "--limit", "100"});
  auto parsed = nlohmann::json::parse(r.out, nullptr, false);
  return parsed.is_array() ? parsed : nlohmann::json::array();
}

int RunningInstalls(CdrWorkspace& ws) {
  int n = 0;
  for (const auto& j : Jobs(ws)) n += j["status"] == "running" && j["operation"] == "register" ? 1 : 0;
  return n;
}

TEST(ParallelApplyTest, Kill9WhileServersRegisterAtOnceThenReapplyConverges) {
  CdrWorkspace ws;
  // Every cloud call takes 800 ms, so the registrations overlap long enough to be seen.
  ASSERT_EQ(
      ws.Cdr({"local", "init", "--hosts", "4", "--disk-size-mib", "16", "--op-delay-ms", "800"}).exit_code,
      0);
  ws.WriteSpec("web.toml", GroupSpec(4));
  BackgroundCdr apply = ws.StartCdr({"apply", "--auto-approve", "-parallelism=4"});
  ASSERT_TRUE(PollUntil([&] { return RunningInstalls(ws) >= 2; }, 90s)) << Jobs(ws).dump(2);
  apply.Kill9();

  RunResult resumed = ws.Cdr({"apply", "--auto-approve", "-parallelism=4"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(ws.CountFiles(ws.cloud() / "peerings"), 1u);
  EXPECT_EQ(ws.CountFiles(ws.cloud() / "endpoints"), 1u);
  EXPECT_EQ(ws.CountFiles(ws.cloud() / "agents"), 4u);
  RunResult plan = ws.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  auto status = nlohmann::json::parse(ws.Cdr({"status", "--json"}).out);
  ASSERT_EQ(status["groups"][0]["servers"].size(), 4u);
  for (const auto& s : status["groups"][0]["servers"]) EXPECT_EQ(s["state"], "initialized") << s.dump();
  // Every registration the kill cut short is closed as interrupted, none is left running.
  int interrupted = 0;
  for (const auto& j : Jobs(ws)) {
    EXPECT_NE(j["status"], "running") << j.dump();
    interrupted += j["error"].get<std::string>().rfind("interrupted", 0) == 0 ? 1 : 0;
  }
  EXPECT_GE(interrupted, 2);
}

TEST(ParallelApplyTest, AFailedServerDoesNotStopItsSiblings) {
  CdrWorkspace ws;
  ASSERT_EQ(ws.Cdr({"local", "init", "--hosts", "3", "--disk-size-mib", "16"}).exit_code, 0);
  ws.WriteSpec("web.toml", GroupSpec(3));
  ASSERT_EQ(ws.Cdr({"plan", "-out=web.plan"}).exit_code, 0);
  // Gone after the plan was made: its registration fails when the saved plan is applied.
  ASSERT_EQ(ws.Cdr({"local", "delete-host", "host-2"}).exit_code, 0);

  RunResult applied = ws.Cdr({"apply", "-parallelism=3", "web.plan"});
  EXPECT_EQ(applied.exit_code, 1) << applied.out << applied.err;
  EXPECT_THAT(applied.out, HasSubstr("1 of 6 steps failed or were skipped"));
  EXPECT_THAT(applied.out, HasSubstr("  group.web-prod.server.web-2 (register): "));
  EXPECT_THAT(applied.out, Not(HasSubstr("server.web-1 (register)")));
  auto status = nlohmann::json::parse(ws.Cdr({"status", "--json"}).out);
  for (const auto& s : status["groups"][0]["servers"]) {
    if (s["name"] != "web-2") EXPECT_EQ(s["state"], "initialized") << s.dump();
  }
  EXPECT_EQ(ws.CountFiles(ws.cloud() / "agents"), 2u);
}

}  // namespace
}  // namespace cdr::e2e
