// The real cdr-agent and cdr-shadow with a TCP proxy between them: a short link cut is no error and loses
// nothing; a corrupted frame is refused by the shadow, the agent reconnects and resends.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>

#include "shadow/replica_disk.h"
#include "tests/shadow/shadow_test_util.h"
#include "tests/support/tcp_proxy.h"

namespace cdr::shadow {
namespace {

using namespace std::chrono_literals;
using cdr::testing::TcpProxy;
using testing::AgentProcess;
using testing::FilesEqual;
using testing::LastJournalSeq;
using testing::PollUntil;
using testing::ReadShadowState;
using testing::RunProgram;
using testing::RunResult;
using testing::ShadowProcess;
using testing::TempDir;
namespace fs = std::filesystem;

class LinkFaultsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    replicas_ = tmp_ / "replicas";
    disk_ = tmp_ / "disk.img";
    fs::create_directories(tmp_ / "shadow1");
    fs::create_directories(tmp_ / "agent1");
    std::ofstream(disk_).close();
    ASSERT_EQ(::truncate(disk_.c_str(), 16 << 20), 0);
    shadow_ = std::make_unique<ShadowProcess>(tmp_ / "shadow1", replicas_);
    ASSERT_TRUE(shadow_->started()) << shadow_->log();
    proxy_ = std::make_unique<TcpProxy>(shadow_->port());
    agent_ = std::make_unique<AgentProcess>(
        tmp_ / "agent1", tmp_ / "state", std::vector<std::string>{"disk0=" + disk_.string()},
        std::vector<std::string>{"--shadow", "127.0.0.1:" + std::to_string(proxy_->port()), "--server-id",
                                 "web-1"});
    ASSERT_TRUE(agent_->started()) << agent_->log();
    ASSERT_TRUE(PollUntil([&] { return agent_->log().find("→ realtime") != std::string::npos; }, 60s))
        << agent_->log();
  }
  bool CaughtUp() {
    auto state = ReadShadowState(replicas_, "web-1", "disk0");
    return state && state->full_sync_done &&
           state->applied_seq == LastJournalSeq(tmp_ / "state/disk0/journal") &&
           FilesEqual(disk_, ReplicaDisk::ImagePath(replicas_, "web-1", "disk0"));
  }
  void CopyRandom(size_t bytes, unsigned seed) {
    testing::WriteRandomFile(tmp_ / "src.bin", bytes, seed);
    RunResult copy = RunProgram({"nbdcopy", (tmp_ / "src.bin").string(), agent_->uri("disk0")});
    ASSERT_EQ(copy.exit_code, 0) << copy.err;
  }

  TempDir tmp_;
  fs::path replicas_, disk_;
  std::unique_ptr<ShadowProcess> shadow_;
  std::unique_ptr<TcpProxy> proxy_;
  std::unique_ptr<AgentProcess> agent_;
};

TEST_F(LinkFaultsE2eTest, ALinkCutShorterThanTheWindowIsNoErrorAndLosesNothing) {
  proxy_->Cut();
  CopyRandom(4 << 20, 11);  // journaled while the link is down
  ASSERT_TRUE(PollUntil([&] { return agent_->log().find("link down") != std::string::npos; }, 30s))
      << agent_->log();
  proxy_->Restore();
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); }, 60s)) << agent_->log() << shadow_->log();
  EXPECT_EQ(agent_->log().find("replication_error"), std::string::npos) << agent_->log();
  EXPECT_GT(proxy_->connections(), 1u) << "the agent did not reconnect";
}

TEST_F(LinkFaultsE2eTest, ACorruptedFrameIsRefusedAndResent) {
  // A byte well inside the stream of DATA frames that the copy below produces.
  proxy_->FlipByteAt(1 << 20);
  CopyRandom(4 << 20, 12);
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); }, 60s)) << agent_->log() << shadow_->log();
  EXPECT_NE(shadow_->log().find("checksum mismatch"), std::string::npos) << shadow_->log();
  EXPECT_GT(proxy_->connections(), 1u) << "the agent did not reconnect after the refused frame";
}

}  // namespace
}  // namespace cdr::shadow
