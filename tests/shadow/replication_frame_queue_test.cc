// The hand-over between a shadow connection's socket reader and its applier.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "shadow/frame_queue.h"

namespace cdr::shadow {
namespace {

wire::Frame FrameOf(uint64_t seq, size_t bytes) {
  wire::Frame f;
  f.type = wire::FrameType::kData;
  f.seq = seq;
  f.payload.resize(bytes);
  return f;
}

TEST(FrameQueueTest, FramesComeOutInOrderThenTheReadersEnd) {
  FrameQueue queue(1 << 20);
  ASSERT_TRUE(queue.Push(FrameOf(1, 10)));
  ASSERT_TRUE(queue.Push(FrameOf(2, 10)));
  queue.Finish(Unavailable("connection closed by peer"));
  wire::Frame f;
  Status end;
  ASSERT_TRUE(queue.Pop(&f, &end));
  EXPECT_EQ(f.seq, 1u);
  ASSERT_TRUE(queue.Pop(&f, &end));
  EXPECT_EQ(f.seq, 2u);
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(queue.Pop(&f, &end));
  EXPECT_EQ(end.code(), StatusCode::kUnavailable);
}

TEST(FrameQueueTest, AFullQueueHoldsTheReaderBackUntilTheApplierTakesAFrame) {
  FrameQueue queue(100);
  ASSERT_TRUE(queue.Push(FrameOf(1, 100)));
  std::atomic<bool> pushed{false};
  std::thread reader([&] {
    EXPECT_TRUE(queue.Push(FrameOf(2, 10)));
    pushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(pushed) << "the queue was full";
  wire::Frame f;
  Status end;
  ASSERT_TRUE(queue.Pop(&f, &end));
  reader.join();
  EXPECT_TRUE(pushed);
}

TEST(FrameQueueTest, CloseReleasesABlockedReaderAndRecycledFramesKeepTheirBuffers) {
  FrameQueue queue(10);
  ASSERT_TRUE(queue.Push(FrameOf(1, 10)));
  std::thread reader([&] { EXPECT_FALSE(queue.Push(FrameOf(2, 10))); });
  queue.Close();
  reader.join();

  wire::Frame big = FrameOf(3, 1 << 20);
  const uint8_t* buffer = big.payload.data();
  queue.Recycle(std::move(big));
  wire::Frame spare = queue.TakeSpare();
  EXPECT_EQ(spare.payload.data(), buffer);
  EXPECT_TRUE(queue.TakeSpare().payload.empty()) << "no more spares";
}

}  // namespace
}  // namespace cdr::shadow
