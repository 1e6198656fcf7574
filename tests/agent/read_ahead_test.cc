#include "agent/internal/read_ahead.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <numeric>
#include <thread>
#include <vector>

namespace cdr::agent::internal {
namespace {

class ReadAheadTest : public ::testing::Test {
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

// Several small pieces sent at once come out exactly, in order, and "more waiting" is answered from the buffer.
TEST_F(ReadAheadTest, HandsOutSmallPiecesFromOneReceive) {
  PlainStream stream(fds_[0], /*owns=*/false);
  ReadAhead input(stream);
  std::vector<uint8_t> sent = Bytes(28 + 4096 + 28, 1);
  Send(sent);
  std::vector<uint8_t> header(28), payload(4096), next(28);
  ASSERT_TRUE(input.Read(header.data(), header.size()));
  EXPECT_TRUE(input.InputWaiting());
  ASSERT_TRUE(input.Read(payload.data(), payload.size()));
  ASSERT_TRUE(input.Read(next.data(), next.size()));
  EXPECT_FALSE(input.InputWaiting());
  std::vector<uint8_t> got = header;
  got.insert(got.end(), payload.begin(), payload.end());
  got.insert(got.end(), next.begin(), next.end());
  EXPECT_EQ(got, sent);
}

// A payload bigger than the buffer, arriving in pieces after a header, is read whole; EOF ends the reads.
TEST_F(ReadAheadTest, ReadsAPayloadBiggerThanTheBufferAndReportsEof) {
  PlainStream stream(fds_[0], /*owns=*/false);
  ReadAhead input(stream);
  const std::vector<uint8_t> sent = Bytes(28 + 3 * ReadAhead::kReadAheadBytes + 5, 7);
  std::thread writer([&] {
    for (size_t at = 0; at < sent.size(); at += 10000) {
      const size_t n = std::min<size_t>(10000, sent.size() - at);
      ASSERT_EQ(::send(fds_[1], sent.data() + at, n, 0), static_cast<ssize_t>(n));
    }
    ::shutdown(fds_[1], SHUT_WR);
  });
  std::vector<uint8_t> header(28), payload(sent.size() - 28);
  ASSERT_TRUE(input.Read(header.data(), header.size()));
  ASSERT_TRUE(input.Read(payload.data(), payload.size()));
  writer.join();
  header.insert(header.end(), payload.begin(), payload.end());
  EXPECT_EQ(header, sent);
  uint8_t more;
  EXPECT_FALSE(input.Read(&more, 1));
}

}  // namespace
}  // namespace cdr::agent::internal
