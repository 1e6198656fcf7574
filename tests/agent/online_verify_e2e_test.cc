// Issue #13: the online verify (as `drbdadm verify`) with the real cdr-agent and cdr-shadow. A round on
// demand compares the whole disk with the replica and says "same" even while writes go on; a block of the
// replica changed behind the agent's back is found, named, and repaired (replication_error → repair →
// realtime, only the damaged block sent back); the scheduled rounds walk the whole disk with a rolling
// cursor; outside realtime a verify is refused with the state it is in.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "tests/agent/agent_with_api.h"

namespace cdr::agent {
namespace {

using namespace cdr::agent::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using cdr::testing::kMiB;
constexpr uint64_t kOnlineVerifyDiskBytes = 16 * kMiB;

nlohmann::json Verify(AgentWithApi& agent) { return agent.Status()["disks"][0]["verify"]; }

// Asks for a round and waits until it finished (a round that started after the request).
nlohmann::json VerifyNow(AgentWithApi& agent, const nlohmann::json& body = nlohmann::json::object()) {
  const int64_t before = Verify(agent)["round_finished_ms"].get<int64_t>();
  const HttpReply reply = agent.Post("/v1/replication/verify", body);
  EXPECT_EQ(reply.code, 202) << reply.body.dump();
  nlohmann::json v;
  EXPECT_TRUE(PollUntil(
      [&] {
        v = Verify(agent);
        return !v["running"].get<bool>() && !v["requested"].get<bool>() &&
               v["round_finished_ms"].get<int64_t>() > before;
      },
      60s))
      << agent.Status().dump() << agent.log();
  return v;
}

struct Estate {
  TempDir tmp;
  fs::path disk = tmp / "vda.img";
  fs::path replicas = tmp / "replicas";
  std::unique_ptr<ShadowWithReadyFile> shadow;
  std::unique_ptr<AgentWithApi> agent;

  explicit Estate(const std::vector<std::string>& agent_flags) {
    MakeDisk(disk, kOnlineVerifyDiskBytes, 6 * kMiB, 11);
    shadow = std::make_unique<ShadowWithReadyFile>(tmp / "shadow", replicas);
    agent = std::make_unique<AgentWithApi>(tmp / "agent", tmp / "state", disk, agent_flags);
  }
  fs::path replica() const { return ReplicaImage(replicas, "web-1", "vda"); }
  bool CaughtUp() { return agent->AllAcked() && CmpEqual(disk, replica()); }
  HttpReply Start() {
    return agent->Post("/v1/replication/start",
                       {{"shadow_address", shadow->address()}, {"server_id", "web-1"}});
  }
};

TEST(OnlineVerifyE2eTest, FindsAndRepairsADamagedReplicaBlockAndNeverFlagsConcurrentWrites) {
  if (RunProgram({"sh", "-c", "command -v qemu-io"}).exit_code != 0)
    GTEST_SKIP() << "qemu-io is not installed";
  Estate e({"--verify-interval-seconds", "0"});
  ASSERT_TRUE(e.shadow->started()) << e.shadow->log();
  ASSERT_TRUE(e.agent->started()) << e.agent->log();
  AgentWithApi& agent = *e.agent;

  // Before replication runs there is no replica to compare with: refused, naming the state.
  const HttpReply early = agent.Post("/v1/replication/verify", nlohmann::json::object());
  EXPECT_EQ(early.code, 409) << early.body.dump();
  EXPECT_NE(early.body.dump().find("initialized"), std::string::npos) << early.body.dump();
  EXPECT_EQ(Verify(agent)["outcome"], "") << "no round yet: unknown, not a reassuring default";

  ASSERT_EQ(e.Start().code, 202);
  ASSERT_TRUE(agent.QemuWrite(1 * kMiB, 64 * 1024, 0x11));
  ASSERT_TRUE(PollUntil([&] { return e.CaughtUp(); }, 60s)) << agent.Status().dump() << agent.log();

  // The whole disk, while another client keeps writing all over it: every probe is taken at a seq the replica
  // reaches in order, so no write in flight is taken for a difference.
  std::atomic<bool> writing{true};
  std::atomic<int> writes{0};
  // Bursts of writes to one hot range (one qemu-io process each), so some wait for the range while a probe
  // holds it and land right after it lets go: the probe must still reach the shadow before them.
  std::thread writer([&] {
    for (int burst = 0; burst < 8; ++burst) {
      std::vector<std::string> argv = {"qemu-io", "-f", "raw"};
      for (int i = 0; i < 300; ++i) {
        argv.push_back("-c");
        argv.push_back("write -P " + std::to_string(1 + (burst * 300 + i) % 250) + " " +
                       std::to_string(kMiB + (i % 16) * 4096) + " 4096");
      }
      argv.push_back(agent.nbd_uri());
      if (RunProgram(argv, 60s).exit_code == 0) writes += 300;
    }
    writing = false;
  });
  int rounds = 0;
  while (writing && rounds < 200) {
    nlohmann::json busy = VerifyNow(agent);
    ++rounds;
    EXPECT_EQ(busy["outcome"], "same") << busy.dump() << agent.log();
    EXPECT_EQ(busy["round_bytes"].get<uint64_t>(), kOnlineVerifyDiskBytes) << busy.dump();
    if (busy["outcome"] != "same") break;
  }
  writer.join();
  EXPECT_EQ(Verify(agent)["differences"].get<uint64_t>(), 0u);
  EXPECT_EQ(writes.load(), 8 * 300);
  EXPECT_GE(rounds, 2);
  ASSERT_TRUE(PollUntil([&] { return e.CaughtUp(); }, 60s)) << agent.Status().dump();

  // A block of the replica changed behind the agent's back (a bad disk on the shadow host, a stray writer).
  constexpr uint64_t kDamaged = 5 * kMiB + 8192;
  {
    const int fd = ::open(e.replica().c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    const std::vector<uint8_t> junk(4096, 0x5A);
    ASSERT_EQ(::pwrite(fd, junk.data(), junk.size(), kDamaged), 4096);
    ::close(fd);
  }
  ASSERT_FALSE(CmpEqual(e.disk, e.replica()));
  const uint64_t repaired_before = agent.Status()["disks"][0]["repair_bytes_sent"].get<uint64_t>();
  const nlohmann::json found = VerifyNow(agent);
  EXPECT_EQ(found["outcome"], "differs") << found.dump();
  EXPECT_EQ(found["difference_offset"].get<uint64_t>(), kDamaged) << found.dump();
  EXPECT_NE(found["reason"].get<std::string>().find(std::to_string(kDamaged)), std::string::npos);
  EXPECT_EQ(found["differences"].get<uint64_t>(), 1u);
  // The sender went to replication_error and repaired: the replica is equal again, with only the damage sent.
  ASSERT_TRUE(PollUntil([&] { return e.CaughtUp(); }, 60s)) << agent.Status().dump() << agent.log();
  const uint64_t repaired = agent.Status()["disks"][0]["repair_bytes_sent"].get<uint64_t>() - repaired_before;
  EXPECT_GE(repaired, 4096u);
  EXPECT_LE(repaired, 64 * 1024u) << agent.Status().dump();
  EXPECT_NE(agent.log().find("online verify"), std::string::npos);
  const nlohmann::json after = VerifyNow(agent);
  EXPECT_EQ(after["outcome"], "same") << after.dump();
}

TEST(OnlineVerifyE2eTest, ScheduledRoundsWalkTheWholeDiskWithARollingCursor) {
  Estate e({"--verify-interval-seconds", "1", "--verify-sample-mib", "4"});
  ASSERT_TRUE(e.shadow->started()) << e.shadow->log();
  ASSERT_TRUE(e.agent->started()) << e.agent->log();
  ASSERT_EQ(e.Start().code, 202);
  ASSERT_TRUE(PollUntil([&] { return e.CaughtUp(); }, 60s)) << e.agent->Status().dump() << e.agent->log();
  // Rounds of 4 MiB: the cursor comes back to 0 after four of them, having compared all 16 MiB.
  nlohmann::json v;
  ASSERT_TRUE(PollUntil(
      [&] {
        v = Verify(*e.agent);
        return v["bytes_compared"].get<uint64_t>() >= kOnlineVerifyDiskBytes;
      },
      90s))
      << v.dump() << e.agent->log();
  EXPECT_EQ(v["outcome"], "same") << v.dump();
  EXPECT_EQ(v["differences"].get<uint64_t>(), 0u);
  EXPECT_LE(v["round_bytes"].get<uint64_t>(), 4 * kMiB) << v.dump();
}

}  // namespace
}  // namespace cdr::agent
