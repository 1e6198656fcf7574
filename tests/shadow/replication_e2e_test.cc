// The real cdr-agent streaming to the real cdr-shadow on 127.0.0.1: full sync, realtime, kill -9 of either
// side.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <regex>
#include <string>

#include "journal/reader.h"
#include "common/wire_frame.h"
#include "shadow/replica_disk.h"
#include "tests/shadow/shadow_test_util.h"
#include "tests/support/tcp_proxy.h"

namespace cdr::shadow {
namespace {

using namespace std::chrono_literals;
using testing::AgentProcess;
using testing::FilesEqual;
using testing::LastJournalSeq;
using testing::PollUntil;
using testing::ReadFile;
using testing::ReadShadowState;
using testing::RunProgram;
using testing::RunResult;
using testing::ShadowProcess;
using testing::TempDir;
namespace fs = std::filesystem;

Result<wire::HelloAck> SayHello(int port, const wire::Hello& hello) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return Unavailable("connect");
  }
  wire::Frame frame;
  Status s =
      wire::WriteAll(fd, wire::EncodeFrame(wire::FrameType::kHello, 0, wire::EncodeHello(hello), false));
  if (s.ok()) s = wire::ReadFrame(fd, &frame);
  ::close(fd);
  if (!s.ok()) return s;
  if (frame.type != wire::FrameType::kHelloAck) return InvalidArgument("not a HELLO_ACK");
  return wire::DecodeHelloAck(frame.payload);
}

// Retries while the previous connection for the disk is still being torn down on the shadow.
Result<wire::HelloAck> SayHelloWhenFree(int port, const wire::Hello& hello) {
  Result<wire::HelloAck> ack = Unavailable("not tried");
  PollUntil([&] {
    ack = SayHello(port, hello);
    return ack.ok() && ack->reason.find("another connection") == std::string::npos;
  });
  return ack;
}

class ReplicationE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    replicas_ = tmp_ / "replicas";
    disk_ = tmp_ / "disk.img";
    fs::create_directories(tmp_ / "shadow1");
  }
  fs::path Replica() const { return ReplicaDisk::ImagePath(replicas_, "web-1", "disk0"); }
  std::unique_ptr<AgentProcess> StartAgent(const std::string& run, const ShadowProcess& shadow,
                                           std::vector<std::string> extra = {}) {
    return StartAgent(run, shadow.address(), std::move(extra));
  }
  std::unique_ptr<AgentProcess> StartAgent(const std::string& run, const std::string& shadow_address,
                                           std::vector<std::string> extra = {}) {
    fs::create_directories(tmp_ / run);
    extra.insert(extra.begin(), {"--shadow", shadow_address, "--server-id", "web-1"});
    return std::make_unique<AgentProcess>(tmp_ / run, tmp_ / "state",
                                          std::vector<std::string>{"disk0=" + disk_.string()}, extra);
  }
  // The shadow has applied every record the agent journaled and the images are equal.
  bool CaughtUp() {
    auto state = ReadShadowState(replicas_, "web-1", "disk0");
    return state && state->full_sync_done &&
           state->applied_seq == LastJournalSeq(tmp_ / "state/disk0/journal") && FilesEqual(disk_, Replica());
  }

  TempDir tmp_;
  fs::path replicas_, disk_;
};

TEST_F(ReplicationE2eTest, ShadowRefusesAnotherEpochOrDiskSize) {
  ShadowProcess shadow(tmp_ / "shadow1", replicas_);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  Result<wire::HelloAck> first = SayHello(shadow.port(), {"web-1", "disk0", 1 << 20, 4096, 41, 0});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->accepted) << first->reason;
  EXPECT_FALSE(first->full_sync_done);
  Result<wire::HelloAck> stale = SayHelloWhenFree(shadow.port(), {"web-1", "disk0", 1 << 20, 4096, 40, 0});
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->accepted);
  EXPECT_NE(stale->reason.find("stale or foreign peer"), std::string::npos) << stale->reason;
  Result<wire::HelloAck> resized = SayHelloWhenFree(shadow.port(), {"web-1", "disk0", 2 << 20, 4096, 41, 0});
  ASSERT_TRUE(resized.ok());
  EXPECT_FALSE(resized->accepted);
  EXPECT_NE(resized->reason.find("disk size changed"), std::string::npos) << resized->reason;
  Result<wire::HelloAck> again = SayHelloWhenFree(shadow.port(), {"web-1", "disk0", 1 << 20, 4096, 41, 0});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->accepted) << again->reason;
}

TEST_F(ReplicationE2eTest, NbdcopyIntoTheAgentReachesAnIdenticalReplica) {
  std::ofstream(disk_).close();
  ASSERT_EQ(::truncate(disk_.c_str(), 16 << 20), 0);
  ShadowProcess shadow(tmp_ / "shadow1", replicas_);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  auto agent = StartAgent("agent1", shadow);
  ASSERT_TRUE(agent->started()) << agent->log();
  testing::WriteRandomFile(tmp_ / "src.bin", 8 << 20, 1);
  RunResult copy = RunProgram({"nbdcopy", (tmp_ / "src.bin").string(), agent->uri("disk0")});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); }, 60s)) << agent->log() << shadow.log();
  EXPECT_GT(ReadShadowState(replicas_, "web-1", "disk0")->applied_seq, 0u);
  EXPECT_TRUE(fs::exists(replicas_ / "web-1/disk0.cdp"));
}

TEST_F(ReplicationE2eTest, SyncModeAcknowledgesWritesOnlyOnceTheShadowHasThem) {
  std::ofstream(disk_).close();
  ASSERT_EQ(::truncate(disk_.c_str(), 16 << 20), 0);
  ShadowProcess shadow(tmp_ / "shadow1", replicas_);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  auto agent = StartAgent("agent1", shadow, {"--mode", "sync"});
  ASSERT_TRUE(agent->started()) << agent->log();
  ASSERT_TRUE(PollUntil(
      [&] {
        auto s = ReadShadowState(replicas_, "web-1", "disk0");
        return s && s->full_sync_done;
      },
      60s));
  // Past the full sync the sender goes realtime right away; give it that moment without a fixed sleep.
  ASSERT_TRUE(PollUntil([&] { return agent->log().find("→ realtime") != std::string::npos; }, 60s))
      << agent->log();
  testing::WriteRandomFile(tmp_ / "src.bin", 4 << 20, 5);
  RunResult copy = RunProgram({"nbdcopy", (tmp_ / "src.bin").string(), agent->uri("disk0")});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  // No polling: every write nbdcopy got an answer for is already durable on the shadow.
  EXPECT_EQ(ReadShadowState(replicas_, "web-1", "disk0")->applied_seq,
            LastJournalSeq(tmp_ / "state/disk0/journal"));
  EXPECT_TRUE(FilesEqual(disk_, Replica()));
  EXPECT_EQ(agent->log().find("running async"), std::string::npos) << agent->log();
}

TEST_F(ReplicationE2eTest, KillingTheShadowMidStreamLosesNoAcknowledgedWrite) {
  std::ofstream(disk_).close();
  ASSERT_EQ(::truncate(disk_.c_str(), 16 << 20), 0);
  auto shadow = std::make_unique<ShadowProcess>(tmp_ / "shadow1", replicas_);
  ASSERT_TRUE(shadow->started()) << shadow->log();
  // The agent keeps the relay's address while the shadow restarts on a new free port (a freed port may be
  // taken by another test of a parallel run).
  cdr::testing::TcpProxy relay(shadow->port());
  // 2 MiB/s: 8 MiB take about four seconds to stream, long enough to kill the shadow in the middle even when
  // a loaded machine lets this thread poll only now and then (at 4 MiB/s one run saw every record applied).
  auto agent =
      StartAgent("agent1", "127.0.0.1:" + std::to_string(relay.port()), {"--replication-rate-mib", "2"});
  ASSERT_TRUE(agent->started()) << agent->log();
  testing::WriteRandomFile(tmp_ / "src.bin", 8 << 20, 2);
  RunResult copy = RunProgram({"nbdcopy", (tmp_ / "src.bin").string(), agent->uri("disk0")});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  const uint64_t last = LastJournalSeq(tmp_ / "state/disk0/journal");
  ASSERT_TRUE(PollUntil(
      [&] {
        auto s = ReadShadowState(replicas_, "web-1", "disk0");
        return s && s->applied_seq > 0;
      },
      60s))
      << shadow->log();
  shadow->child().Kill(SIGKILL);
  shadow->child().Wait();
  const uint64_t recorded = ReadShadowState(replicas_, "web-1", "disk0")->applied_seq;
  EXPECT_LT(recorded, last) << "the shadow was not killed mid-stream";

  // Everything up to the recorded seq is in the replica (nbdcopy writes each range once).
  const std::string replica = ReadFile(Replica());
  auto reader = journal::JournalReader::Open(tmp_ / "state/disk0/journal", 1, recorded);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  journal::Record record;
  uint64_t checked = 0;
  while (true) {
    Result<bool> got = (*reader)->Next(&record);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (!*got) break;
    if (record.kind != journal::RecordKind::kWrite) continue;
    ASSERT_EQ(
        replica.compare(record.offset, record.length,
                        std::string(reinterpret_cast<const char*>(record.data.data()), record.data.size())),
        0)
        << "seq " << record.seq;
    ++checked;
  }
  EXPECT_GT(checked, 0u);

  shadow = std::make_unique<ShadowProcess>(tmp_ / "shadow1", replicas_);
  ASSERT_TRUE(shadow->started()) << shadow->log();
  relay.Retarget(shadow->port());
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); }, 90s)) << agent->log() << shadow->log();
}

TEST_F(ReplicationE2eTest, FullSyncOfAPrefilledSparseImageResumesAfterTheAgentIsKilled) {
  // 64 MiB disk, 4 MiB of random data every 8 MiB (32 MiB of data), the rest holes.
  constexpr uint64_t kDisk = 64 << 20, kChunk = 4 << 20;
  testing::WriteRandomFile(tmp_ / "chunk.bin", kChunk, 3);
  const std::string chunk = ReadFile(tmp_ / "chunk.bin");
  {
    int fd = ::open(disk_.c_str(), O_RDWR | O_CREAT, 0600);
    ASSERT_EQ(::ftruncate(fd, kDisk), 0);
    for (uint64_t off = 0; off < kDisk; off += 2 * kChunk) {
      ASSERT_EQ(::pwrite(fd, chunk.data(), chunk.size(), off), static_cast<ssize_t>(chunk.size()));
    }
    ::close(fd);
  }
  const uint64_t data_bytes = kDisk / 2;
  ShadowProcess shadow(tmp_ / "shadow1", replicas_);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  {
    auto agent = StartAgent("agent1", shadow, {"--replication-rate-mib", "8"});
    ASSERT_TRUE(agent->started()) << agent->log();
    // A write during the full sync: journaled, and streamed once the sync is done. (It also keeps the journal
    // non-empty: journal::JournalReader spins on an empty segment when replaying at the restart below.)
    testing::WriteRandomFile(tmp_ / "early.bin", 64 << 10, 4);
    RunResult early = RunProgram({"nbdcopy", (tmp_ / "early.bin").string(), agent->uri("disk0")});
    ASSERT_EQ(early.exit_code, 0) << early.err;
    ASSERT_TRUE(PollUntil(
        [&] {
          auto s = ReadShadowState(replicas_, "web-1", "disk0");
          return s && s->full_sync_cursor >= kDisk / 2;
        },
        60s))
        << agent->log();
    agent->child().Kill(SIGKILL);
    agent->child().Wait();
  }
  auto state = ReadShadowState(replicas_, "web-1", "disk0");
  ASSERT_FALSE(state->full_sync_done) << "the full sync ended before the agent was killed";

  auto agent = StartAgent("agent2", shadow);
  ASSERT_TRUE(agent->started()) << agent->log();
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); }, 60s)) << agent->log() << shadow.log();
  std::smatch m;
  const std::string log = agent->log();
  ASSERT_TRUE(
      std::regex_search(log, m, std::regex("full sync done: (\\d+) data bytes sent from byte (\\d+)")))
      << log;
  const uint64_t resent = std::stoull(m[1]);
  EXPECT_GT(std::stoull(m[2]), 0u);
  EXPECT_GT(resent, 0u);
  EXPECT_LT(resent, data_bytes) << "the second run copied everything again";
  EXPECT_LE(resent, data_bytes / 2 + kChunk);
}

}  // namespace
}  // namespace cdr::shadow
