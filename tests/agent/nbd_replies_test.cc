#include "agent/internal/nbd_replies.h"

#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "agent/internal/socket_io.h"
#include "agent/nbd_protocol.h"

namespace cdr::agent::internal {
namespace {

using namespace std::chrono_literals;

bool PollUntil(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

class NbdRepliesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
    const int small = 16 * 1024;  // a 1 MiB reply blocks until the peer reads
    ASSERT_EQ(::setsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  }
  void TearDown() override {
    if (fds_[0] >= 0) ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  size_t BytesArrived() {
    int n = 0;
    return ::ioctl(fds_[1], FIONREAD, &n) == 0 ? static_cast<size_t>(n) : 0;
  }
  int fds_[2] = {-1, -1};
};

// Replies that finish while a big one is being sent do not wait for the socket: they are combined behind it
// and go out, whole and in order, before the sender lets go.
TEST_F(NbdRepliesTest, RepliesFinishingDuringASendAreCombinedBehindIt) {
  PlainStream stream(fds_[0], /*owns=*/false);
  NbdReplies replies(stream, /*structured=*/false);
  const std::vector<uint8_t> data(1 << 20, 0xab);
  std::atomic<bool> big_sent{false};
  std::thread big([&] { big_sent = replies.ReadData(1, 0, data); });
  ASSERT_TRUE(PollUntil([&] { return BytesArrived() > 0; }, 30000ms));
  std::atomic<int> returned{0};
  std::thread small([&] {
    for (uint64_t cookie = 2; cookie < 10; ++cookie) {
      if (replies.Simple(cookie, cookie == 5 ? nbd::kEInval : 0)) ++returned;
    }
  });
  // Nothing is read yet: a reply that waited for the socket could not return.
  const bool combined = PollUntil([&] { return returned == 8; }, 30000ms);
  EXPECT_TRUE(combined) << "the small replies waited for the big one's send";

  std::vector<uint8_t> got(nbd::kSimpleReplySize + data.size() + 8 * nbd::kSimpleReplySize);
  PlainStream peer(fds_[1], /*owns=*/false);
  ASSERT_TRUE(ReadFull(peer, got.data(), got.size()));
  big.join();
  small.join();
  EXPECT_TRUE(big_sent);
  EXPECT_EQ(GetU32(got.data()), nbd::kSimpleReplyMagic);
  EXPECT_EQ(GetU64(got.data() + 8), 1u);
  const auto payload = got.begin() + nbd::kSimpleReplySize;
  EXPECT_EQ(std::vector<uint8_t>(payload, payload + static_cast<ptrdiff_t>(data.size())), data);
  const uint8_t* p = got.data() + nbd::kSimpleReplySize + data.size();
  for (uint64_t cookie = 2; cookie < 10; ++cookie, p += nbd::kSimpleReplySize) {
    EXPECT_EQ(GetU32(p), nbd::kSimpleReplyMagic);
    EXPECT_EQ(GetU32(p + 4), cookie == 5 ? nbd::kEInval : 0u);
    EXPECT_EQ(GetU64(p + 8), cookie);
  }
  EXPECT_EQ(BytesArrived(), 0u);
}

// Once a send failed every later reply reports the connection gone, also one that would have been combined.
TEST_F(NbdRepliesTest, AFailedSendFailsEveryLaterReply) {
  PlainStream stream(fds_[0], /*owns=*/false);
  NbdReplies replies(stream, /*structured=*/true);
  ::close(fds_[1]);
  fds_[1] = -1;
  EXPECT_FALSE(replies.Simple(1, 0));
  EXPECT_FALSE(replies.ReadError(2, nbd::kEInval));
  EXPECT_FALSE(replies.Simple(3, 0));
}

}  // namespace
}  // namespace cdr::agent::internal
