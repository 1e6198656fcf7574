#include "agent/internal/repair_scope.h"

#include <gtest/gtest.h>

namespace cdr::agent::internal {
namespace {

constexpr uint64_t kRange = kRepairRangeBytes;

TEST(RepairScopeTest, WholeDiskComparesEveryRange) {
  const RepairScope scope = RepairScope::WholeDisk(5 * kRange + 4096);
  EXPECT_EQ(scope.NextRange(0), 0u);
  EXPECT_EQ(scope.NextRange(3 * kRange), 3 * kRange);
  EXPECT_EQ(scope.end(), 5 * kRange + 4096);
  EXPECT_EQ(scope.bytes(), 5 * kRange + 4096);
}

TEST(RepairScopeTest, DirtyComparesOnlyTheRangesHoldingADirtyBlock) {
  // Two blocks in range 0, one block straddling ranges 3 and 4, the disk's short last range.
  const RepairScope scope = RepairScope::Dirty(
      9 * kRange + 4096, {{0, 65536}, {512 * 1024, 65536}, {4 * kRange - 65536, 131072}, {9 * kRange, 4096}});
  EXPECT_EQ(scope.NextRange(0), 0u);
  EXPECT_EQ(scope.NextRange(kRange), 3 * kRange);
  EXPECT_EQ(scope.NextRange(4 * kRange), 4 * kRange);
  EXPECT_EQ(scope.NextRange(5 * kRange), 9 * kRange);
  EXPECT_EQ(scope.NextRange(9 * kRange + 4096), scope.end());
  EXPECT_EQ(scope.end(), 9 * kRange + 4096);
  EXPECT_EQ(scope.bytes(), 3 * kRange + 4096);
}

TEST(RepairScopeTest, NoDirtyBlockIsAnEmptyScope) {
  const RepairScope scope = RepairScope::Dirty(8 * kRange, {});
  EXPECT_EQ(scope.end(), 0u);
  EXPECT_EQ(scope.bytes(), 0u);
  EXPECT_EQ(scope.NextRange(0), 0u);
}

}  // namespace
}  // namespace cdr::agent::internal
