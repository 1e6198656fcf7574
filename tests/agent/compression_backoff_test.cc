#include "agent/internal/compression_backoff.h"

#include <gtest/gtest.h>

namespace cdr::agent::internal {
namespace {

// How many records in a row are skipped after the attempt that just missed.
int SkippedAfterMiss(CompressionBackoff* backoff) {
  backoff->Tried(4096, 3800);  // 7 % smaller: not worth the CPU
  int skipped = 0;
  while (!backoff->ShouldTry() && skipped < 1000) ++skipped;
  return skipped;
}

TEST(CompressionBackoffTest, CompressibleRecordsAreAlwaysTried) {
  CompressionBackoff backoff;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(backoff.ShouldTry());
    backoff.Tried(4096, 1000);
  }
}

TEST(CompressionBackoffTest, MissesInARowDoubleTheSkipUpToTheBoundAndOneHitResetsIt) {
  CompressionBackoff backoff;
  ASSERT_TRUE(backoff.ShouldTry());
  EXPECT_EQ(SkippedAfterMiss(&backoff), 1);
  EXPECT_EQ(SkippedAfterMiss(&backoff), 2);
  EXPECT_EQ(SkippedAfterMiss(&backoff), 4);
  for (int i = 0; i < 10; ++i) SkippedAfterMiss(&backoff);
  EXPECT_EQ(SkippedAfterMiss(&backoff), static_cast<int>(CompressionBackoff::kMaxSkip));
  backoff.Tried(4096, 1000);
  EXPECT_TRUE(backoff.ShouldTry());
  EXPECT_EQ(SkippedAfterMiss(&backoff), 1);
}

}  // namespace
}  // namespace cdr::agent::internal
