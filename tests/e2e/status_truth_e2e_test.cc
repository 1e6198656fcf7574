// `cdr status` never calls what it cannot observe healthy: after `cdr local down` the servers are not healthy and
// their RPO is a growing bound; in a GitOps deploy directory (no specs/) it observes live with --git and says
// NOT LIVE without it; a stopped server with writes not sent shows them, also after its agent restarted, and
// drift reports them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "tests/e2e/cdr_workspace.h"
#include "tests/e2e/status_json.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

class StatusTruthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
  }

  RunResult Apply(const std::string& replication) {
    ws_.WriteSpec("web.toml", GroupSpec(1, 30, replication));
    return ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
  }

  json Status(const std::vector<std::string>& extra = {}) { return StatusJson(ws_, extra); }
  static json Server(const json& status) { return FirstServer(status); }

  void Write(const std::string& uri, size_t bytes, unsigned seed) {
    cdr::testing::TempDir tmp;
    cdr::testing::WriteRandomFile(tmp / "data.bin", bytes, seed);
    auto copied = cdr::testing::RunProgram({"nbdcopy", (tmp / "data.bin").string(), uri});
    ASSERT_EQ(copied.exit_code, 0) << copied.err;
  }

  CdrWorkspace ws_;
};

TEST_F(StatusTruthTest, AfterLocalDownNothingIsHealthyAndTheRpoGrows) {
  RunResult applied = Apply("running");
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  json before = Status();
  ASSERT_EQ(Server(before)["health"], "healthy") << before.dump(2);
  ASSERT_EQ(Server(before)["rpo_live"], true);
  // The plan records what it observed: the moment the replica was last known good.
  ASSERT_EQ(ws_.Cdr({"plan"}).exit_code, 0);

  RunResult down = ws_.Cdr({"local", "down"});
  ASSERT_EQ(down.exit_code, 0) << down.out << down.err;

  json first = Status();
  const json& s = Server(first);
  EXPECT_EQ(s["live"], false) << s.dump(2);
  EXPECT_EQ(s["health"], "error") << s.dump(2);
  EXPECT_EQ(s["health_reason"], "agent not running: nothing is replicated");
  EXPECT_EQ(first["groups"][0]["health"]["healthy"], 0);
  EXPECT_EQ(s["rpo_live"], false);
  ASSERT_TRUE(s["rpo_seconds"].is_number()) << s.dump(2);
  const double rpo1 = s["rpo_seconds"];
  RunResult text = ws_.Cdr({"status"});
  EXPECT_THAT(text.out, HasSubstr("NOT LIVE (agent not running: nothing is replicated)"));
  EXPECT_THAT(text.out, HasSubstr("<="));
  ASSERT_TRUE(PollUntil([&] { return Server(Status())["rpo_seconds"].get<double>() >= rpo1 + 1.0; },
                        std::chrono::seconds(30)))
      << "the RPO bound does not grow";
}

TEST_F(StatusTruthTest, GitOpsDirectoryObservesLiveWithGitAndSaysNotLiveWithout) {
  RunResult applied = Apply("running");
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  // The deploy directory keeps .cdr/ (state and cloud); the spec lives only in a git repository.
  const fs::path repo = ws_.dir() / "repo";
  fs::create_directories(repo);
  fs::rename(ws_.dir() / "specs", repo / "specs");
  const std::string git = "cd '" + repo.string() + "' && GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=ci " +
                          "GIT_AUTHOR_EMAIL=ci@example.com GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com " +
                          "git init -q -b main . && git add -A && git commit -q -m spec";
  ASSERT_EQ(std::system(git.c_str()), 0);

  json live = Status({"--git", "repo", "--ref", "main", "--path", "specs"});
  EXPECT_EQ(live["live"], true) << live.dump(2);
  EXPECT_EQ(Server(live)["live"], true);
  EXPECT_EQ(Server(live)["health"], "healthy");

  json stored = Status();
  EXPECT_EQ(stored["live"], false) << stored.dump(2);
  EXPECT_THAT(stored["not_live_reason"].get<std::string>(), HasSubstr("no spec"));
  EXPECT_EQ(Server(stored)["health"], "unknown");
  EXPECT_EQ(Server(stored)["state"], "realtime");
  RunResult text = ws_.Cdr({"status"});
  EXPECT_EQ(text.out.rfind("NOT LIVE: ", 0), 0u) << text.out;
  EXPECT_THAT(text.out, HasSubstr("unknown"));
}

TEST_F(StatusTruthTest, StoppedServerShowsItsBacklogAlsoAfterAnAgentRestart) {
  ASSERT_EQ(Apply("running").exit_code, 0);
  const std::string uri = Server(Status())["nbd_uris"][0];
  ASSERT_EQ(Apply("stopped").exit_code, 0);
  ASSERT_EQ(Server(Status())["state"], "realtime_stopped");
  Write(uri, 256 << 10, 3);

  json s = Server(Status());
  ASSERT_TRUE(s["backlog"].is_object()) << s.dump(2);
  EXPECT_GE(s["backlog"]["writes"].get<uint64_t>(), 1u);
  EXPECT_GE(s["backlog"]["bytes"].get<uint64_t>(), 256u << 10);
  EXPECT_TRUE(s["progress_percent"].is_null());
  ASSERT_TRUE(s["rpo_seconds"].is_number()) << s.dump(2);
  EXPECT_THAT(ws_.Cdr({"status"}).out, HasSubstr("not sent, oldest"));
  RunResult drift = ws_.Cdr({"drift"});
  EXPECT_EQ(drift.exit_code, 2) << drift.out << drift.err;
  EXPECT_THAT(drift.out, HasSubstr("replication_backlog"));

  // The acknowledged seq is persisted: a restarted agent still knows what it has not sent.
  ASSERT_EQ(ws_.Cdr({"local", "down"}).exit_code, 0);
  ASSERT_EQ(ws_.Cdr({"local", "up"}).exit_code, 0);
  json after = Server(Status());
  ASSERT_TRUE(after["backlog"].is_object()) << after.dump(2);
  EXPECT_EQ(after["backlog"]["bytes"], s["backlog"]["bytes"]);

  // Running again sends the backlog: nothing is left and the replica matches.
  ASSERT_EQ(Apply("running").exit_code, 0);
  json resumed = Server(Status());
  EXPECT_EQ(resumed["state"], "realtime");
  EXPECT_TRUE(resumed["backlog"].is_null());
  const fs::path disk = ws_.cloud() / "zones" / "az1" / "disks" / "host-1-vda.img";
  const fs::path replica = resumed["replicas"][0]["path"].get<std::string>();
  EXPECT_TRUE(cdr::testing::PollUntil(
      [&] { return cdr::testing::RunProgram({"cmp", "-s", disk.string(), replica.string()}).exit_code == 0; },
      std::chrono::seconds(60)));
}

// The any-point-in-time window ends now only while the live agent says nothing is unsent; with writes held by a
// stopped replication it ends at the newest write the shadow host has.
TEST_F(StatusTruthTest, RecoveryWindowEndsNowOnlyWhileNothingIsUnsent) {
  ASSERT_EQ(Apply("running").exit_code, 0);
  const json server = Server(Status());
  Write(server["nbd_uris"][0], 128 << 10, 9);
  const fs::path disk = ws_.cloud() / "zones" / "az1" / "disks" / "host-1-vda.img";
  const fs::path replica = server["replicas"][0]["path"].get<std::string>();
  ASSERT_TRUE(cdr::testing::PollUntil(
      [&] { return cdr::testing::RunProgram({"cmp", "-s", disk.string(), replica.string()}).exit_code == 0; },
      std::chrono::seconds(60)));
  auto window = [&] {
    RunResult r = ws_.Cdr({"recovery-points", "web-prod/web-1", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  };
  // Acknowledgements follow the replica's commit: poll until the agent has nothing unsent.
  json current;
  const int64_t asked_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
  ASSERT_TRUE(PollUntil([&] { return (current = window()).value("window_ends_now", false); }, std::chrono::seconds(30)))
      << current.dump(2);
  EXPECT_GE(current["window"]["end_ns"].get<int64_t>(), asked_ns);

  ASSERT_EQ(Apply("stopped").exit_code, 0);
  const int64_t stopped_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::system_clock::now().time_since_epoch()).count();
  Write(server["nbd_uris"][0], 64 << 10, 10);
  const json held = window();
  EXPECT_EQ(held["window_ends_now"], false) << held.dump(2);
  EXPECT_LT(held["window"]["end_ns"].get<int64_t>(), stopped_ns) << "the unsent write is not in the window";
}

}  // namespace
}  // namespace cdr::e2e
