#include "common/read_ahead_stream.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <numeric>
#include <thread>
#include <vector>

#include "common/wire_frame.h"

namespace cdr {
namespace {

class ReadAheadStreamTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0); }
  void TearDown() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  void Send(const std::vector<uint8_t>& bytes) {
    ASSERT_EQ(::send(fds_[1], bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }
  int fds_[2] = {-1, -1};
};

std::vector<uint8_t> Bytes(size_t n, uint8_t first) {
  std::vector<uint8_t> v(n);
  std::iota(v.begin(), v.end(), first);
  return v;
}

// Several small pieces sent at once come out exactly, in order, and "more waiting" is answered from the
// buffer.
TEST_F(ReadAheadStreamTest, HandsOutSmallPiecesFromOneReceive) {
  PlainStream stream(fds_[0], /*owns=*/false);
  ReadAheadStream input(stream);
  std::vector<uint8_t> sent = Bytes(28 + 4096 + 28, 1);
  Send(sent);
  std::vector<uint8_t> header(28), payload(4096), next(28);
  ASSERT_TRUE(input.ReadAll(header.data(), header.size(), kNoDeadline).ok());
  EXPECT_TRUE(input.InputWaiting());
  ASSERT_TRUE(input.ReadAll(payload.data(), payload.size(), kNoDeadline).ok());
  ASSERT_TRUE(input.ReadAll(next.data(), next.size(), kNoDeadline).ok());
  EXPECT_FALSE(input.InputWaiting());
  std::vector<uint8_t> got = header;
  got.insert(got.end(), payload.begin(), payload.end());
  got.insert(got.end(), next.begin(), next.end());
  EXPECT_EQ(got, sent);
}

// A payload bigger than the buffer, arriving in pieces after a header, is read whole; EOF ends the reads.
TEST_F(ReadAheadStreamTest, ReadsAPayloadBiggerThanTheBufferAndReportsEof) {
  PlainStream stream(fds_[0], /*owns=*/false);
  ReadAheadStream input(stream);
  const std::vector<uint8_t> sent = Bytes(28 + 3 * ReadAheadStream::kReadAheadBytes + 5, 7);
  std::thread writer([&] {
    for (size_t at = 0; at < sent.size(); at += 10000) {
      const size_t n = std::min<size_t>(10000, sent.size() - at);
      ASSERT_EQ(::send(fds_[1], sent.data() + at, n, 0), static_cast<ssize_t>(n));
    }
    ::shutdown(fds_[1], SHUT_WR);
  });
  std::vector<uint8_t> header(28), payload(sent.size() - 28);
  ASSERT_TRUE(input.ReadAll(header.data(), header.size(), kNoDeadline).ok());
  ASSERT_TRUE(input.ReadAll(payload.data(), payload.size(), kNoDeadline).ok());
  writer.join();
  header.insert(header.end(), payload.begin(), payload.end());
  EXPECT_EQ(header, sent);
  uint8_t more;
  EXPECT_EQ(input.ReadAll(&more, 1, kNoDeadline).code(), StatusCode::kUnavailable);
}

// Counts the receives that reach the socket.
class CountingStream final : public ByteStream {
 public:
  explicit CountingStream(ByteStream& next) : next_(next) {}
  Status ReadAll(uint8_t* buf, size_t n, Deadline deadline) override {
    ++receives;
    return next_.ReadAll(buf, n, deadline);
  }
  Result<size_t> ReadSome(uint8_t* buf, size_t max, Deadline deadline) override {
    ++receives;
    return next_.ReadSome(buf, max, deadline);
  }
  bool InputWaiting() override { return next_.InputWaiting(); }
  Status WriteAll(std::span<const uint8_t> bytes) override { return next_.WriteAll(bytes); }
  Status WriteVecAll(struct iovec* iov, int count) override { return next_.WriteVecAll(iov, count); }
  void Shutdown() override { next_.Shutdown(); }
  void ShutdownRead() override { next_.ShutdownRead(); }
  void SetReceiveTimeout(std::chrono::milliseconds timeout) override { next_.SetReceiveTimeout(timeout); }
  int receives = 0;

 private:
  ByteStream& next_;
};

// A batch of replication frames sent at once is read with one receive, not two per frame, and comes out
// whole.
TEST_F(ReadAheadStreamTest, ABatchOfFramesTakesOneReceive) {
  std::vector<uint8_t> batch;
  for (uint64_t seq = 1; seq <= 8; ++seq) {
    const std::vector<uint8_t> frame =
        wire::EncodeFrame(wire::FrameType::kData, seq, Bytes(4096, static_cast<uint8_t>(seq)), false);
    batch.insert(batch.end(), frame.begin(), frame.end());
  }
  Send(batch);
  PlainStream stream(fds_[0], /*owns=*/false);
  CountingStream counted(stream);
  ReadAheadStream input(counted);
  for (uint64_t seq = 1; seq <= 8; ++seq) {
    wire::Frame frame;
    ASSERT_TRUE(wire::ReadFrame(input, &frame).ok());
    EXPECT_EQ(frame.seq, seq);
    EXPECT_EQ(frame.payload, Bytes(4096, static_cast<uint8_t>(seq)));
  }
  EXPECT_EQ(counted.receives, 1);
  // Nothing is left behind: ReadSome and InputWaiting ask the socket again.
  EXPECT_FALSE(input.InputWaiting());
  Send(Bytes(3, 9));
  uint8_t rest[8];
  Result<size_t> got = input.ReadSome(rest, sizeof rest, kNoDeadline);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 3u);
  EXPECT_EQ(counted.receives, 2);
}

}  // namespace
}  // namespace cdr
