// The send queue (common/send_queue.h) on a real socket pair: bytes arrive in the order they were appended
// whichever sender took them (the caller's thread for small submissions, the sender thread for bulk ones),
// the memory it holds stays bounded while the peer does not read, a send failure is returned by later calls,
// and destroying the queue lets what was queued leave first.
#include "common/send_queue.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>

namespace cdr {
namespace {

using namespace std::chrono_literals;

class SendQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_), 0);
    timeval timeout{20, 0};  // a broken test fails instead of hanging
    ::setsockopt(fds_[1], SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  void TearDown() override {
    for (int fd : fds_) ::close(fd);
  }
  // Reads until `n` bytes arrived (or the peer closed, or 20 s without a byte); `received` follows along.
  std::vector<uint8_t> Receive(size_t n, std::atomic<size_t>* received = nullptr) {
    std::vector<uint8_t> got(n);
    size_t done = 0;
    while (done < n) {
      const ssize_t r = ::recv(fds_[1], got.data() + done, std::min<size_t>(n - done, 32 << 10), 0);
      if (r <= 0) break;
      done += static_cast<size_t>(r);
      if (received != nullptr) *received = done;
    }
    got.resize(done);
    return got;
  }

  int fds_[2] = {-1, -1};
};

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> bytes(n);
  for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<uint8_t>(i * 31 + seed);
  return bytes;
}

TEST_F(SendQueueTest, SmallAndBulkSubmissionsArriveInOrder) {
  // Small ones go out on this thread, bulk ones on the sender thread, small ones behind a bulk one wait for
  // it.
  const std::vector<size_t> sizes = {100, 3 << 20, 10, 4096, SendQueue::kBatch + 1, 1, 2 << 20, 7};
  std::vector<uint8_t> expected;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const std::vector<uint8_t> piece = Pattern(sizes[i], static_cast<uint8_t>(i));
    expected.insert(expected.end(), piece.begin(), piece.end());
  }
  auto receiving = std::async(std::launch::async, [&] { return Receive(expected.size()); });
  {
    SendQueue queue(fds_[0], 20000ms);
    for (size_t i = 0; i < sizes.size(); ++i) {
      const std::vector<uint8_t> piece = Pattern(sizes[i], static_cast<uint8_t>(i));
      for (size_t at = 0; at < piece.size(); at += 16 << 10) {
        ASSERT_TRUE(queue.WaitForRoom().ok());
        queue.Append(piece.data() + at, std::min<size_t>(16 << 10, piece.size() - at));
      }
      ASSERT_TRUE(queue.Submit().ok());
    }
  }
  ASSERT_EQ(receiving.wait_for(60s), std::future_status::ready);
  EXPECT_TRUE(receiving.get() == expected) << "bytes lost, repeated or out of order";
}

TEST_F(SendQueueTest, HoldsBoundedMemoryWhileThePeerDoesNotRead) {
  constexpr size_t kTotal = 16 << 20;
  constexpr size_t kPiece = 16 << 10;
  int sndbuf = 0;
  socklen_t len = sizeof sndbuf;
  ASSERT_EQ(::getsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, &len), 0);
  std::atomic<size_t> appended{0};
  SendQueue queue(fds_[0], 20000ms);
  auto appending = std::async(std::launch::async, [&] {
    const std::vector<uint8_t> piece = Pattern(kPiece, 1);
    while (appended < kTotal) {
      if (!queue.WaitForRoom().ok()) return false;
      queue.Append(piece.data(), piece.size());
      appended += kPiece;
    }
    return queue.Submit().ok();
  });
  // Nobody reads until the appender stops making progress (waits for room) or has appended everything, as an
  // unbounded queue would at once.
  size_t seen = 0;
  for (int still = 0; still < 5 && appended < kTotal;) {
    std::this_thread::sleep_for(100ms);
    still = appended == seen ? still + 1 : 0;
    seen = appended;
  }
  const size_t held = appended;
  // The bound, one batch filling, one piece, and what the socket buffers on both ends hold.
  EXPECT_LE(held, SendQueue::kMaxQueued + SendQueue::kBatch + kPiece + 4 * static_cast<size_t>(sndbuf));
  EXPECT_EQ(Receive(kTotal).size(), kTotal);
  ASSERT_EQ(appending.wait_for(60s), std::future_status::ready);
  EXPECT_TRUE(appending.get());
}

TEST_F(SendQueueTest, ASendFailureIsReturnedByLaterCalls) {
  SendQueue queue(fds_[0], 20000ms);
  ::close(fds_[1]);
  fds_[1] = ::socket(AF_UNIX, SOCK_STREAM, 0);  // TearDown closes something
  const std::vector<uint8_t> piece = Pattern(4096, 2);
  queue.Append(piece.data(), piece.size());
  Status s = queue.Submit();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_EQ(queue.WaitForRoom().code(), StatusCode::kUnavailable);
  queue.Append(piece.data(), piece.size());
  EXPECT_EQ(queue.Submit().code(), StatusCode::kUnavailable);
}

TEST_F(SendQueueTest, WhatIsQueuedLeavesBeforeTheQueueIsGone) {
  const std::vector<uint8_t> bulk = Pattern(4 << 20, 3);
  auto receiving = std::async(std::launch::async, [&] { return Receive(bulk.size()); });
  {
    SendQueue queue(fds_[0], 20000ms);
    for (size_t at = 0; at < bulk.size(); at += 64 << 10) {
      ASSERT_TRUE(queue.WaitForRoom().ok());
      queue.Append(bulk.data() + at, 64 << 10);
    }
    ASSERT_TRUE(queue.Submit().ok());  // bulk: handed to the sender thread, not sent yet
  }
  ASSERT_EQ(receiving.wait_for(60s), std::future_status::ready);
  EXPECT_TRUE(receiving.get() == bulk);
}

}  // namespace
}  // namespace cdr
