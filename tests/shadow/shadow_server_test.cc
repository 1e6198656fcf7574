// The receiver in-process, spoken to frame by frame: a corrupt frame or record is refused, never applied.
#include "shadow/shadow_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xxhash.h>

#include <vector>

#include "common/wire_frame.h"
#include "tests/shadow/shadow_test_util.h"

namespace cdr::shadow {
namespace {

class ShadowServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ShadowServer>(ShadowOptions{"127.0.0.1", 0, tmp_ / "replicas"});
    ASSERT_TRUE(server_->Start().ok());
    fd_ = Connect();
    ASSERT_GE(fd_, 0);
    Send(wire::FrameType::kHello, wire::EncodeHello({"web-1", "disk0", 1 << 20, 4096, 9, 0}));
    ASSERT_EQ(Receive().type, wire::FrameType::kHelloAck);
    Send(wire::FrameType::kFullSyncExtent, wire::EncodeFullSyncExtent({1 << 20, 1 << 20, 0, {}}));
    wire::Frame ack = Receive();
    ASSERT_EQ(ack.type, wire::FrameType::kAck);
    ASSERT_TRUE(wire::DecodeAck(ack.payload)->full_sync_done);
  }
  void TearDown() override {
    ::close(fd_);
    server_->Stop();
  }
  int Connect() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(std::stoi(server_->address().substr(10))));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return -1;
    }
    timeval timeout{20, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return fd;
  }
  // HELLO_ACK on a second connection (the fixture's first one stays open).
  wire::HelloAck HelloOnNewConnection(uint64_t epoch, int* fd) {
    *fd = Connect();
    EXPECT_TRUE(wire::WriteAll(*fd, Frame(wire::FrameType::kHello,
                                          wire::EncodeHello({"web-1", "disk0", 1 << 20, 4096, epoch, 0})))
                    .ok());
    wire::Frame f;
    Status s = wire::ReadFrame(*fd, &f);
    EXPECT_TRUE(s.ok()) << s.ToString();
    Result<wire::HelloAck> ack = wire::DecodeHelloAck(f.payload);
    EXPECT_TRUE(ack.ok());
    return ack.ok() ? *ack : wire::HelloAck{};
  }
  std::vector<uint8_t> Frame(wire::FrameType type, const std::vector<uint8_t>& payload) {
    return wire::EncodeFrame(type, 0, payload, false);
  }
  void Send(wire::FrameType type, const std::vector<uint8_t>& payload) {
    ASSERT_TRUE(wire::WriteAll(fd_, Frame(type, payload)).ok());
  }
  wire::Frame Receive() {
    wire::Frame f;
    Status s = wire::ReadFrame(fd_, &f);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return f;
  }
  std::vector<uint8_t> DataPayload(uint64_t seq, const std::vector<uint8_t>& data,
                                   uint64_t checksum_xor = 0) {
    return wire::EncodeDataRecord(
        {journal::RecordKind::kWrite, 0, seq, 1, 0, data.size(), XXH3_64bits(data.data(), data.size()) ^ checksum_xor, data});
  }

  testing::TempDir tmp_;
  std::unique_ptr<ShadowServer> server_;
  int fd_ = -1;
};

TEST_F(ShadowServerTest, AppliesAndAcknowledgesARecord) {
  Send(wire::FrameType::kData, DataPayload(1, std::vector<uint8_t>(4096, 'x')));
  wire::Frame ack = Receive();
  ASSERT_EQ(ack.type, wire::FrameType::kAck);
  EXPECT_EQ(wire::DecodeAck(ack.payload)->applied_seq, 1u);
  EXPECT_EQ(testing::ReadShadowState(tmp_ / "replicas", "web-1", "disk0")->applied_seq, 1u);
}

TEST_F(ShadowServerTest, CorruptFrameIsAnErrorAndNotApplied) {
  std::vector<uint8_t> frame = Frame(wire::FrameType::kData, DataPayload(1, std::vector<uint8_t>(4096, 'x')));
  frame[wire::kFrameHeaderSize + 100] ^= 0x40;
  ASSERT_TRUE(wire::WriteAll(fd_, frame).ok());
  wire::Frame error = Receive();
  ASSERT_EQ(error.type, wire::FrameType::kError);
  EXPECT_NE(wire::DecodeError(error.payload)->message.find("checksum"), std::string::npos);
  EXPECT_EQ(testing::ReadShadowState(tmp_ / "replicas", "web-1", "disk0")->applied_seq, 0u);
}

TEST_F(ShadowServerTest, RecordWithAWrongDataChecksumIsDataLoss) {
  Send(wire::FrameType::kData, DataPayload(1, std::vector<uint8_t>(4096, 'x'), 1));
  wire::Frame error = Receive();
  ASSERT_EQ(error.type, wire::FrameType::kError);
  EXPECT_EQ(wire::DecodeError(error.payload)->code, static_cast<uint16_t>(StatusCode::kDataLoss));
  EXPECT_EQ(testing::ReadShadowState(tmp_ / "replicas", "web-1", "disk0")->applied_seq, 0u);
}

TEST_F(ShadowServerTest, HeartbeatIsAnsweredWithTheAppliedSeq) {
  Send(wire::FrameType::kHeartbeat, wire::EncodeHeartbeat(1));
  wire::Frame ack = Receive();
  ASSERT_EQ(ack.type, wire::FrameType::kAck);
  EXPECT_EQ(wire::DecodeAck(ack.payload)->applied_seq, 0u);
}

TEST_F(ShadowServerTest, AHelloOfTheSameEpochTakesTheDiskOverFromAHalfOpenConnection) {
  int fd = -1;
  const auto started = std::chrono::steady_clock::now();
  wire::HelloAck ack = HelloOnNewConnection(9, &fd);
  EXPECT_TRUE(ack.accepted) << ack.reason;
  EXPECT_TRUE(ack.full_sync_done);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  wire::Frame f;
  EXPECT_FALSE(wire::ReadFrame(fd_, &f).ok()) << "the old connection was not closed";
  ::close(fd);
}

TEST_F(ShadowServerTest, AHelloOfAnotherEpochIsRefusedAsBusy) {
  int fd = -1;
  wire::HelloAck ack = HelloOnNewConnection(10, &fd);
  EXPECT_FALSE(ack.accepted);
  EXPECT_EQ(ack.refusal, wire::Refusal::kBusy);
  ::close(fd);
}

TEST_F(ShadowServerTest, RepairAnswersDifferingRangesWithBlockHashesAndRefusesDataUntilItEnds) {
  std::vector<uint8_t> block(4096, 'x');
  const wire::Hash128 wrong{1, 2};
  // Range 0 claims other contents: the shadow answers with its 2 block hashes (an all-zero replica).
  Send(wire::FrameType::kRepairRanges, wire::EncodeRepairRanges({3, {{0, 8192, wrong}}}));
  wire::Frame f = Receive();
  ASSERT_EQ(f.type, wire::FrameType::kRepairBlockHashes);
  Result<wire::RepairBlockHashes> hashes = wire::DecodeRepairBlockHashes(f.payload);
  ASSERT_TRUE(hashes.ok());
  EXPECT_EQ(hashes->offset, 0u);
  ASSERT_EQ(hashes->hashes.size(), 2u);
  EXPECT_EQ(hashes->hashes[0], hashes->hashes[1]);
  Send(wire::FrameType::kRepairBlocks, wire::EncodeRepairBlocks({0, 8192, {{4096, 4096, false, block}}}));
  // Acks of the repair's start may come first; the cursor passes the range once its blocks are applied.
  Result<wire::Ack> ack = InvalidArgument("no ack");
  for (int i = 0; i < 10 && !(ack.ok() && ack->repair_cursor == 8192); ++i) {
    f = Receive();
    ASSERT_EQ(f.type, wire::FrameType::kAck);
    ack = wire::DecodeAck(f.payload);
  }
  ASSERT_TRUE(ack.ok());
  EXPECT_TRUE(ack->repair_in_progress);
  EXPECT_EQ(ack->repair_cursor, 8192u);
  auto state = testing::ReadShadowState(tmp_ / "replicas", "web-1", "disk0");
  ASSERT_TRUE(state);
  EXPECT_TRUE(state->repair_in_progress) << "the replica must say it is not consistent";
  // DATA is refused until the repair ends.
  Send(wire::FrameType::kData, DataPayload(1, block));
  f = Receive();
  ASSERT_EQ(f.type, wire::FrameType::kError);
}

}  // namespace
}  // namespace cdr::shadow
