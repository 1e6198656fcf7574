// Acceptance of the outage rules with the real cdr-agent and cdr-shadow and a TCP proxy between them: a link
// cut longer than the outage window is replication_error while the NBD clients' writes keep succeeding; once
// the link is back the agent repairs (by itself with auto_restart, on POST /v1/replication/repair without it),
// sending little more than what changed, and the replica is identical again.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "tests/agent/agent_with_api.h"
#include "tests/support/tcp_proxy.h"

namespace cdr::agent {
namespace {

using namespace cdr::agent::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using cdr::testing::kMiB;
constexpr uint64_t kLinkCutRepairDiskBytes = 16 * kMiB;
constexpr uint64_t kWriteBytes = 64 * 1024;

class LinkCutRepairE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OnPathProgram("qemu-io")) GTEST_SKIP() << "qemu-io is not installed";
    disk_ = tmp_ / "vda.img";
    replicas_ = tmp_ / "replicas";
    MakeDisk(disk_, kLinkCutRepairDiskBytes, 4 * kMiB, 31);
    shadow_ = std::make_unique<ShadowWithReadyFile>(tmp_ / "shadow", replicas_);
    ASSERT_TRUE(shadow_->started()) << shadow_->log();
    proxy_ = std::make_unique<TcpProxy>(shadow_->port());
    ASSERT_NE(proxy_->port(), 0);
  }
  static bool OnPathProgram(const std::string& program) {
    return RunProgram({"sh", "-c", "command -v " + program}).exit_code == 0;
  }
  std::string ProxyAddress() const { return "127.0.0.1:" + std::to_string(proxy_->port()); }

  // One write of kWriteBytes through qemu-io, a real NBD client; counts what the replica misses.
  void Write(AgentWithApi& agent, uint64_t offset, int pattern) {
    char command[64];
    std::snprintf(command, sizeof command, "write -P 0x%02x %llu %llu", pattern,
                  static_cast<unsigned long long>(offset), static_cast<unsigned long long>(kWriteBytes));
    RunResult w = RunProgram({"qemu-io", "-f", "raw", "-c", command, agent.nbd_uri()}, 30s);
    ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
    changed_bytes_ += kWriteBytes;
  }
  bool CaughtUp(AgentWithApi& agent) {
    return agent.AllAcked() && CmpEqual(disk_, ReplicaImage(replicas_, "web-1", "vda"));
  }
  // Cut the link longer than the 1 s window, writing before and after the agent gives up on it.
  void CutUntilError(AgentWithApi& agent) {
    ASSERT_TRUE(PollUntil([&] { return CaughtUp(agent); })) << agent.Status().dump() << agent.log();
    proxy_->Cut();
    Write(agent, 1 * kMiB, 0x11);
    Write(agent, 5 * kMiB, 0x22);
    ASSERT_TRUE(PollUntil([&] { return agent.StateIs("replication_error"); })) << agent.Status().dump();
    const nlohmann::json s = agent.Status();
    EXPECT_FALSE(s["disks"][0]["link_up"].get<bool>());
    EXPECT_NE(s["disks"][0]["last_error"].get<std::string>().find("outage window"), std::string::npos)
        << s.dump();
    // The export does not depend on the link: writes in replication_error succeed. These cannot have reached
    // the shadow (the ones before the error may have, just before the cut took hold).
    Write(agent, 9 * kMiB, 0x33);
    Write(agent, 13 * kMiB + 4096, 0x44);
    changed_in_error_ = 2 * kWriteBytes;
    EXPECT_TRUE(agent.StateIs("replication_error"));
  }
  // The repair sent only the changed blocks, plus at most 1 % of the disk of overhead.
  void ExpectSmallRepair(AgentWithApi& agent) {
    const uint64_t repair = agent.Status()["disks"][0]["repair_bytes_sent"].get<uint64_t>();
    EXPECT_GE(repair, changed_in_error_);
    EXPECT_LE(static_cast<double>(repair), 1.1 * changed_bytes_ + 0.01 * kLinkCutRepairDiskBytes)
        << "changed " << changed_bytes_ << " bytes";
  }

  TempDir tmp_;
  fs::path disk_, replicas_;
  std::unique_ptr<ShadowWithReadyFile> shadow_;
  std::unique_ptr<cdr::testing::TcpProxy> proxy_;
  uint64_t changed_bytes_ = 0;
  uint64_t changed_in_error_ = 0;
};

TEST_F(LinkCutRepairE2eTest, WithAutoRestartTheAgentRepairsByItselfOnceTheLinkIsBack) {
  AgentWithApi agent(tmp_ / "agent", tmp_ / "state", disk_,
                     {"--shadow", ProxyAddress(), "--server-id", "web-1", "--outage-window-seconds", "1"});
  ASSERT_TRUE(agent.started()) << agent.log();
  ASSERT_NO_FATAL_FAILURE(CutUntilError(agent));
  proxy_->Restore();
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(agent); })) << agent.Status().dump() << agent.log();
  ExpectSmallRepair(agent);
  EXPECT_NE(agent.log().find("repairing"), std::string::npos) << agent.log();
}

TEST_F(LinkCutRepairE2eTest, WithoutAutoRestartTheErrorStaysUntilARepairIsRequested) {
  AgentWithApi agent(tmp_ / "agent", tmp_ / "state", disk_, {});
  ASSERT_TRUE(agent.started()) << agent.log();
  const HttpReply start = agent.Post("/v1/replication/start", {{"shadow_address", ProxyAddress()},
                                                               {"server_id", "web-1"},
                                                               {"auto_restart", false},
                                                               {"outage_window_seconds", 1}});
  ASSERT_EQ(start.code, 202) << start.body.dump();
  ASSERT_NO_FATAL_FAILURE(CutUntilError(agent));
  proxy_->Restore();
  EXPECT_FALSE(PollUntil([&] { return !agent.StateIs("replication_error"); }, 2s))
      << "no repair without auto_restart: " << agent.Status().dump();

  const HttpReply repair = agent.Post("/v1/replication/repair");
  ASSERT_EQ(repair.code, 202) << repair.body.dump();
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(agent); })) << agent.Status().dump() << agent.log();
  ExpectSmallRepair(agent);
}

}  // namespace
}  // namespace cdr::agent
