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
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(std::stoi(server_->address().substr(10))));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ASSERT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
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
        {1, 0, seq, 1, 0, data.size(), XXH3_64bits(data.data(), data.size()) ^ checksum_xor, data});
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

}  // namespace
}  // namespace cdr::shadow
