// A shadow host that comes back on a new address while its agent is in replication_error: POST
// /v1/replication/start with the new address is the repair towards it (repair_starting → repairing →
// realtime), with the real cdr-agent, two real cdr-shadow processes on one replica directory and qemu-io
// writing through the NBD export.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "tests/agent/agent_with_api.h"

namespace cdr::agent {
namespace {

using namespace cdr::agent::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using cdr::testing::kMiB;
constexpr uint64_t kStartInErrorNewTargetDiskBytes = 16 * kMiB;
constexpr uint64_t kStartInErrorNewTargetWriteBytes = 64 * 1024;

bool OnPathProgram(const std::string& program) {
  return RunProgram({"sh", "-c", "command -v " + program}).exit_code == 0;
}

nlohmann::json StartBody(const std::string& shadow_address) {
  return {{"shadow_address", shadow_address},
          {"server_id", "web-1"},
          {"auto_restart", false},
          {"outage_window_seconds", 1}};
}

void Write(AgentWithApi& agent, uint64_t offset, int pattern) {
  char command[64];
  std::snprintf(command, sizeof command, "write -P 0x%02x %llu %llu", pattern,
                static_cast<unsigned long long>(offset), static_cast<unsigned long long>(kStartInErrorNewTargetWriteBytes));
  RunResult w = RunProgram({"qemu-io", "-f", "raw", "-c", command, agent.nbd_uri()}, 30s);
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
}

TEST(StartInErrorE2eTest, StartWithTheShadowsNewAddressRepairsTowardsIt) {
  if (!OnPathProgram("qemu-io")) GTEST_SKIP() << "qemu-io is not installed";
  TempDir tmp;
  const fs::path disk = tmp / "vda.img";
  const fs::path replicas = tmp / "replicas";
  MakeDisk(disk, kStartInErrorNewTargetDiskBytes, 4 * kMiB, 41);
  auto shadow = std::make_unique<ShadowWithReadyFile>(tmp / "shadow", replicas);
  ASSERT_TRUE(shadow->started()) << shadow->log();
  const std::string old_address = shadow->address();
  AgentWithApi agent(tmp / "agent", tmp / "state", disk, {});
  ASSERT_TRUE(agent.started()) << agent.log();
  ASSERT_EQ(agent.Post("/v1/replication/start", StartBody(old_address)).code, 202);
  auto caught_up = [&] { return agent.AllAcked() && CmpEqual(disk, ReplicaImage(replicas, "web-1", "vda")); };
  ASSERT_TRUE(PollUntil(caught_up)) << agent.Status().dump() << agent.log();
  const uint64_t full_sync_bytes = agent.Status()["disks"][0]["full_sync_bytes_sent"].get<uint64_t>();

  // The shadow host goes away past the outage window; writes go on meanwhile.
  shadow->child().Kill(SIGKILL);
  shadow->child().Wait();
  Write(agent, 2 * kMiB, 0x51);
  ASSERT_TRUE(PollUntil([&] { return agent.StateIs("replication_error"); })) << agent.Status().dump();
  Write(agent, 11 * kMiB, 0x52);

  // It comes back on another port, with the replicas it had.
  shadow = std::make_unique<ShadowWithReadyFile>(tmp / "shadow2", replicas);
  ASSERT_TRUE(shadow->started()) << shadow->log();
  ASSERT_NE(shadow->address(), old_address);
  // Without auto_restart nothing happens until asked: the agent still streams to the old address.
  EXPECT_FALSE(PollUntil([&] { return !agent.StateIs("replication_error"); }, 1s)) << agent.Status().dump();

  const HttpReply start = agent.Post("/v1/replication/start", StartBody(shadow->address()));
  ASSERT_EQ(start.code, 202) << start.body.dump();
  EXPECT_EQ(start.body["shadow_address"], shadow->address()) << start.body.dump();
  ASSERT_TRUE(PollUntil(caught_up)) << agent.Status().dump() << agent.log();

  const nlohmann::json status = agent.Status();
  EXPECT_EQ(status["shadow_address"], shadow->address());
  // A repair, not a new full sync: only the two changed writes (rounded to blocks) went again.
  EXPECT_EQ(status["disks"][0]["full_sync_bytes_sent"].get<uint64_t>(), full_sync_bytes) << status.dump();
  const uint64_t repaired = status["disks"][0]["repair_bytes_sent"].get<uint64_t>();
  EXPECT_GE(repaired, kStartInErrorNewTargetWriteBytes) << status.dump();
  EXPECT_LE(repaired, 2 * kStartInErrorNewTargetWriteBytes + kStartInErrorNewTargetDiskBytes / 100) << status.dump();
  EXPECT_NE(agent.log().find("repairing"), std::string::npos) << agent.log();

  // The new address is what the agent keeps: a restart of replication goes there too.
  ASSERT_EQ(agent.Post("/v1/replication/restart").code, 202);
  ASSERT_TRUE(PollUntil(caught_up)) << agent.Status().dump() << agent.log();
  EXPECT_EQ(agent.Status()["shadow_address"], shadow->address());
}

}  // namespace
}  // namespace cdr::agent
