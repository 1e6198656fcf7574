// Issue #13, finding 2, with the real cdr-agent and cdr-shadow: a connection that knows the disk's epoch (an
// attacker, or an agent whose older journal was restored) drives the replica's applied seq past the agent's
// journal with a write of its own. The agent must not take its own next write for a resend of that seq: it
// goes to replication_error naming both seqs, stays there while the replica differs, and a repair makes the
// replica identical again; later writes reach it.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "journal/format.h"
#include "agent/internal/shadow_connect.h"
#include "common/wire_frame.h"
#include "tests/agent/agent_with_api.h"

namespace cdr::agent {
namespace {

using namespace cdr::agent::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using cdr::testing::kMiB;
constexpr uint64_t kShadowAheadRepairDiskBytes = 16 * kMiB;
constexpr uint64_t kForeignOffset = 3 * kMiB;  // inside the disk's data: the repair sends it back as data
constexpr uint64_t kForeignBytes = 8 * 1024;

// Speaks the wire protocol as a second writer of the disk's epoch: HELLO, then one DATA record at the replica's
// applied seq + 1, then a heartbeat so the shadow commits. Returns the seq the shadow acknowledged.
uint64_t InjectForeignWrite(int shadow_port, uint64_t epoch) {
  Result<std::unique_ptr<ByteStream>> link =
      internal::ConnectToShadow("127.0.0.1", static_cast<uint16_t>(shadow_port), nullptr);
  EXPECT_TRUE(link.ok()) << link.status().ToString();
  if (!link.ok()) return 0;
  ByteStream& stream = **link;
  wire::Hello hello{"web-1", "vda", kShadowAheadRepairDiskBytes, 4096, epoch, 0, 0};
  wire::Frame frame;
  Status s = stream.WriteAll(wire::EncodeFrame(wire::FrameType::kHello, 0, wire::EncodeHello(hello), false));
  if (s.ok()) s = wire::ReadFrame(stream, &frame);
  Result<wire::HelloAck> ack = s.ok() ? wire::DecodeHelloAck(frame.payload) : Result<wire::HelloAck>(s);
  uint64_t acked = 0;
  if (ack.ok() && ack->accepted) {
    const std::vector<uint8_t> data(kForeignBytes, 0xEE);
    wire::DataRecord record{journal::RecordKind::kWrite, 0, ack->applied_seq + 1, journal::NowRecordTimeNs(), kForeignOffset,
                            kForeignBytes, journal::DataChecksum(data.data(), data.size()), data};
    s = stream.WriteAll(
        wire::EncodeFrame(wire::FrameType::kData, record.seq, wire::EncodeDataRecord(record), false));
    if (s.ok()) {
      s = stream.WriteAll(wire::EncodeFrame(wire::FrameType::kHeartbeat, 0,
                                            wire::EncodeHeartbeat(journal::NowRecordTimeNs()), false));
    }
    while (s.ok() && acked < record.seq) {
      s = wire::ReadFrame(stream, &frame);
      if (!s.ok() || frame.type != wire::FrameType::kAck) continue;
      Result<wire::Ack> a = wire::DecodeAck(frame.payload);
      if (a.ok()) acked = a->applied_seq;
    }
  }
  EXPECT_TRUE(s.ok() && ack.ok() && ack->accepted) << s.ToString() << (ack.ok() ? ack->reason : "");
  return acked;
}

// A real agent replicating to a real shadow, caught up, after which a foreign write took the replica's
// applied seq one past the agent's journal; the agent is in replication_error about it.
class ShadowAheadRepairE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RunProgram({"sh", "-c", "command -v qemu-io"}).exit_code != 0) GTEST_SKIP() << "qemu-io is not installed";
    MakeDisk(disk_, kShadowAheadRepairDiskBytes, 4 * kMiB, 7);
    shadow_ = std::make_unique<ShadowWithReadyFile>(tmp_ / "shadow", tmp_ / "replicas");
    ASSERT_TRUE(shadow_->started()) << shadow_->log();
    agent_ = std::make_unique<AgentWithApi>(tmp_ / "agent", tmp_ / "state", disk_, std::vector<std::string>{});
    ASSERT_TRUE(agent_->started()) << agent_->log();
    // Without auto_restart the error stays until a repair is asked for, so what the agent says meanwhile is
    // observable.
    const HttpReply start = agent_->Post("/v1/replication/start", {{"shadow_address", shadow_->address()},
                                                                   {"server_id", "web-1"},
                                                                   {"auto_restart", false}});
    ASSERT_EQ(start.code, 202) << start.body.dump();
    ASSERT_TRUE(agent_->QemuWrite(1 * kMiB, 64 * 1024, 0x11)) << agent_->log();
    ASSERT_TRUE(PollUntil([&] { return CaughtUp(); }, 60s)) << agent_->Status().dump() << agent_->log();
    journal_seq_ = JournalSeq();

    Result<nlohmann::json> epoch_file = ReadJsonFile(tmp_ / "state" / "vda" / "replication.json");
    ASSERT_TRUE(epoch_file.ok()) << epoch_file.status().ToString();
    shadow_seq_ = InjectForeignWrite(shadow_->port(), (*epoch_file)["epoch"].get<uint64_t>());
    ASSERT_EQ(shadow_seq_, journal_seq_ + 1);
    ASSERT_FALSE(CmpEqual(disk_, replica_));
    // The agent's session was taken over; its next HELLO_ACK is ahead of its journal.
    ASSERT_TRUE(PollUntil([&] { return agent_->StateIs("replication_error"); }, 60s))
        << agent_->Status().dump() << agent_->log();
  }

  bool CaughtUp() { return agent_->AllAcked() && CmpEqual(disk_, replica_); }
  uint64_t JournalSeq() { return agent_->Status()["disks"][0]["journal_seq"].get<uint64_t>(); }
  void Repair() {
    const HttpReply repair = agent_->Post("/v1/replication/repair");
    ASSERT_EQ(repair.code, 202) << repair.body.dump();
    ASSERT_TRUE(PollUntil([&] { return CaughtUp(); }, 60s)) << agent_->Status().dump() << agent_->log();
  }

  TempDir tmp_;
  const fs::path disk_ = tmp_ / "vda.img";
  const fs::path replica_ = ReplicaImage(tmp_ / "replicas", "web-1", "vda");
  std::unique_ptr<ShadowWithReadyFile> shadow_;
  std::unique_ptr<AgentWithApi> agent_;
  uint64_t journal_seq_ = 0;
  uint64_t shadow_seq_ = 0;
};

TEST_F(ShadowAheadRepairE2eTest, AShadowAheadOfTheJournalIsAnErrorThenARepairNeverASkippedWrite) {
  const nlohmann::json error = agent_->Status();
  const std::string last_error = error["disks"][0]["last_error"].get<std::string>();
  EXPECT_NE(last_error.find("applied seq " + std::to_string(shadow_seq_)), std::string::npos) << last_error;
  EXPECT_NE(last_error.find("last seq " + std::to_string(journal_seq_)), std::string::npos) << last_error;
  // Writes go on in error; the replica differs, and the agent never says realtime meanwhile.
  ASSERT_TRUE(agent_->QemuWrite(2 * kMiB, 4096, 0x22)) << agent_->log();
  EXPECT_FALSE(PollUntil([&] { return !agent_->StateIs("replication_error"); }, 2s)) << agent_->Status().dump();
  EXPECT_FALSE(CmpEqual(disk_, replica_));

  ASSERT_NO_FATAL_FAILURE(Repair());
  const nlohmann::json repaired = agent_->Status()["disks"][0];
  // The foreign 8 KiB and the write made in error, nothing like the whole disk.
  EXPECT_GE(repaired["repair_bytes_sent"].get<uint64_t>(), kForeignBytes);
  EXPECT_LE(repaired["repair_bytes_sent"].get<uint64_t>(), kForeignBytes + 64 * 1024) << repaired.dump();

  // The write that used to be skipped as a "resend" of the foreign seq reaches the replica.
  ASSERT_TRUE(agent_->QemuWrite(5 * kMiB, 4096, 0x33)) << agent_->log();
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); }, 60s)) << agent_->Status().dump() << agent_->log();
}

// Repaired before the agent wrote again: the journal's next seq must still be past the foreign one, or the next
// write would reuse a seq the replica's recovery history already logged (and drop there as a resend).
TEST_F(ShadowAheadRepairE2eTest, TheRepairContinuesPastTheSeqsTheReplicaAlreadyApplied) {
  ASSERT_NO_FATAL_FAILURE(Repair());
  EXPECT_GE(JournalSeq(), shadow_seq_) << agent_->Status().dump();
  ASSERT_TRUE(agent_->QemuWrite(5 * kMiB, 4096, 0x33)) << agent_->log();
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); }, 60s)) << agent_->Status().dump() << agent_->log();
  EXPECT_GT(JournalSeq(), shadow_seq_) << agent_->Status().dump();
}

}  // namespace
}  // namespace cdr::agent
