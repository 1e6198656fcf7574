// The real cdr-agent's replication lifecycle against a real cdr-shadow: the control API with its token, the
// persisted target and desired state across kill -9 and SIGTERM, and the ready files.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/agent/agent_with_api.h"

namespace cdr::agent {
namespace {

using namespace cdr::agent::testing;
namespace fs = std::filesystem;
using cdr::testing::kMiB;
using Agent = AgentWithApi;

class AgentLifecycleE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    disk_ = tmp_ / "vda.img";
    replicas_ = tmp_ / "replicas";
    state_ = tmp_ / "state";
  }
  std::vector<std::string> ShadowFlags(const ShadowWithReadyFile& shadow, const std::string& rate_mib = "0") {
    return {"--shadow", shadow.address(), "--server-id", "web-1", "--replication-rate-mib", rate_mib};
  }
  bool ReplicaEqual() { return SameContents(disk_, ReplicaImage(replicas_, "web-1", "vda")); }

  TempDir tmp_;
  fs::path disk_, replicas_, state_;
};

TEST_F(AgentLifecycleE2eTest, Kill9DuringFullSyncThenARestartWithoutShadowFlagsResumes) {
  constexpr uint64_t kData = 16 * kMiB;
  MakeDisk(disk_, 32 * kMiB, kData, 11);
  ShadowWithReadyFile shadow(tmp_ / "shadow", replicas_);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  uint64_t sent_before_kill = 0;
  {
    Agent agent(tmp_ / "agent1", state_, disk_, ShadowFlags(shadow, "4"));
    ASSERT_TRUE(agent.started()) << agent.log();
    ASSERT_TRUE(PollUntil([&] {
      const nlohmann::json s = agent.Status();
      if (!s.is_object() || s["state"] != "full_sync") return false;
      sent_before_kill = s["disks"][0]["full_sync_bytes_sent"].get<uint64_t>();
      return sent_before_kill >= 6 * kMiB;
    })) << agent.log();
    agent.child().Kill(SIGKILL);
    agent.child().Wait();
  }
  Result<nlohmann::json> persisted = ReadJsonFile(state_ / "replication.json");
  ASSERT_TRUE(persisted.ok()) << persisted.status().ToString();
  EXPECT_EQ((*persisted)["desired"], "running");
  EXPECT_EQ((*persisted)["target"]["shadow_address"], shadow.address());

  Agent agent(tmp_ / "agent2", state_, disk_, {});
  ASSERT_TRUE(agent.started()) << agent.log();
  ASSERT_TRUE(PollUntil([&] { return agent.StateIs("realtime") && ReplicaEqual(); })) << agent.log();
  const nlohmann::json s = agent.Status();
  EXPECT_EQ(s["server_id"], "web-1");
  const uint64_t second_run = s["disks"][0]["full_sync_bytes_sent"].get<uint64_t>();
  // Resumed at the shadow's cursor: at most what the shadow had not acknowledged at the kill is sent again.
  EXPECT_LE(second_run, kData - sent_before_kill + 2 * kMiB) << "before the kill: " << sent_before_kill;
  EXPECT_NE(agent.log().find("resuming the persisted desired state"), std::string::npos) << agent.log();
}

TEST_F(AgentLifecycleE2eTest, ApiStopsAndAStoppedAgentStaysStoppedAcrossARestart) {
  MakeDisk(disk_, 8 * kMiB, 2 * kMiB, 12);
  ShadowWithReadyFile shadow(tmp_ / "shadow", replicas_);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  {
    Agent agent(tmp_ / "agent1", state_, disk_, ShadowFlags(shadow));
    ASSERT_TRUE(agent.started()) << agent.log();
    EXPECT_EQ(agent.ready()["pid"].get<int>(), agent.child().pid());
    RunResult size = RunProgram(
        {"nbdinfo", "--size", "nbd://" + agent.ready()["nbd_address"].get<std::string>() + "/vda"});
    EXPECT_EQ(size.exit_code, 0) << size.err;
    EXPECT_EQ(size.out, std::to_string(8 * kMiB) + "\n");

    EXPECT_EQ(agent.Get("/v1/status", "wrong-token").code, 401);
    EXPECT_EQ(agent.Get("/v1/status", "").code, 401);
    ASSERT_TRUE(PollUntil([&] { return agent.StateIs("realtime"); })) << agent.log();
    EXPECT_EQ(agent.Status()["nbd_address"], agent.ready()["nbd_address"]);
    const HttpReply repair = agent.Post("/v1/replication/repair");
    EXPECT_EQ(repair.code, 409) << repair.body.dump();

    const HttpReply stop = agent.Post("/v1/replication/stop");
    EXPECT_EQ(stop.code, 202) << stop.body.dump();
    ASSERT_TRUE(PollUntil([&] { return agent.StateIs("realtime_stopped"); })) << agent.log();
    agent.child().Kill(SIGTERM);
    EXPECT_EQ(agent.child().Wait(), 0) << agent.log();
    EXPECT_FALSE(fs::exists(agent.ready_file()));
  }

  Agent agent(tmp_ / "agent2", state_, disk_, {});
  ASSERT_TRUE(agent.started()) << agent.log();
  EXPECT_TRUE(agent.StateIs("realtime_stopped")) << agent.Status().dump();
  EXPECT_FALSE(PollUntil([&] { return !agent.StateIs("realtime_stopped"); }, std::chrono::milliseconds(1500)))
      << agent.Status().dump();
  const HttpReply restart = agent.Post("/v1/replication/restart");
  EXPECT_EQ(restart.code, 202) << restart.body.dump();
  ASSERT_TRUE(PollUntil([&] { return agent.StateIs("realtime"); })) << agent.log();
  EXPECT_EQ(agent.Status()["disks"][0]["full_sync_bytes_sent"], 0) << "the replica was complete already";
  EXPECT_TRUE(ReplicaEqual());
}

TEST_F(AgentLifecycleE2eTest, NoApiAndBadTokenFiles) {
  MakeDisk(disk_, 4 * kMiB, 0, 13);
  fs::create_directories(tmp_ / "noapi");
  Child no_api({(fs::read_symlink("/proc/self/exe").parent_path() / "cdr-agent").string(), "--listen",
                "127.0.0.1:0", "--state-dir", state_.string(), "--export", "vda=" + disk_.string(),
                "--no-api", "--insecure", "--ready-file", (tmp_ / "noapi/ready").string()},
               tmp_ / "noapi/out", tmp_ / "noapi/err");
  std::optional<nlohmann::json> ready = WaitForReadyFile(tmp_ / "noapi/ready", no_api);
  ASSERT_TRUE(ready) << ReadFile(tmp_ / "noapi/err");
  EXPECT_TRUE((*ready)["api_address"].is_null());
  EXPECT_FALSE((*ready)["nbd_address"].get<std::string>().empty());
  no_api.Kill(SIGTERM);
  EXPECT_EQ(no_api.Wait(), 0);

  std::ofstream(tmp_ / "empty-token").close();
  RunResult empty =
      RunProgram({(fs::read_symlink("/proc/self/exe").parent_path() / "cdr-agent").string(), "--listen",
                  "127.0.0.1:0", "--state-dir", state_.string(), "--export", "vda=" + disk_.string(),
                  "--api-token-file", (tmp_ / "empty-token").string(), "--insecure"});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("empty-token"), std::string::npos) << empty.err;
}

}  // namespace
}  // namespace cdr::agent
