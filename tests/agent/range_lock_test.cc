#include "agent/range_lock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/support/process_test_util.h"

namespace cdr::agent {
namespace {

using namespace std::chrono_literals;

TEST(RangeLockTest, OverlappingRangesTakeTurnsDisjointOnesDoNot) {
  RangeLock lock;
  std::atomic<bool> got_overlap{false};
  std::thread overlapping;
  {
    RangeLock::Held held = lock.Acquire(4096, 8192);
    // Disjoint (touching at the end) is granted while the first is held.
    { RangeLock::Held disjoint = lock.Acquire(12288, 4096); }
    { RangeLock::Held before = lock.Acquire(0, 4096); }
    overlapping = std::thread([&] {
      RangeLock::Held second = lock.Acquire(8191, 2);
      got_overlap = true;
    });
    std::this_thread::sleep_for(50ms);  // a chance to go wrong; the assertion below is what matters
    EXPECT_FALSE(got_overlap.load()) << "an overlapping range was granted while the first was held";
  }
  EXPECT_TRUE(cdr::testing::PollUntil([&] { return got_overlap.load(); }, 10000ms));
  overlapping.join();
}

TEST(RangeLockTest, ZeroLengthLocksOneByte) {
  RangeLock lock;
  RangeLock::Held held = lock.Acquire(100, 0);
  { RangeLock::Held next = lock.Acquire(101, 10); }
  { RangeLock::Held prev = lock.Acquire(0, 100); }
}

}  // namespace
}  // namespace cdr::agent
