#include "agent/failover_changes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/internal/repair_scope.h"
#include "tests/support/process_test_util.h"

namespace cdr::agent {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::TempDir;

constexpr uint64_t kFailoverChangesDisk = 64ull << 20;

// A DR host's change map as cdr-dr-disk flatten leaves it: blocks marked, closed clean, then the json.
void WriteMap(const fs::path& image, uint64_t disk_size, const std::vector<DirtyRange>& marked,
              uint64_t history_seq) {
  auto bitmap = DirtyBitmap::Open(FailoverChangesPath(image), disk_size, kFailoverChangesBlock);
  ASSERT_TRUE(bitmap.ok()) << bitmap.status().ToString();
  for (const DirtyRange& r : marked) ASSERT_TRUE((*bitmap)->Mark(r.offset, r.length).ok());
  ASSERT_TRUE((*bitmap)->CloseClean().ok());
  ASSERT_TRUE(WriteFailoverChangesMeta(image, {history_seq - 10, history_seq}).ok());
}

TEST(FailoverChangesTest, AMapCoveringProductionsSeqLimitsTheCompareToItsBlocks) {
  TempDir tmp;
  const fs::path image = tmp.path() / "vda.img";
  const fs::path claim = tmp.path() / "agent-claim.json";
  WriteMap(image, kFailoverChangesDisk, {{8192, 4096}, {1 << 20, 8192}}, 256);
  EXPECT_EQ(FailoverChangesPath(image), tmp.path() / "vda.changes");
  const FailoverChangesScope scope = ReadFailoverChanges(image, kFailoverChangesDisk, 256, claim);
  ASSERT_TRUE(scope.usable) << scope.why;
  EXPECT_EQ(scope.ranges, (std::vector<DirtyRange>{{8192, 4096}, {1 << 20, 8192}}));
  EXPECT_EQ(scope.bytes, 12288u);
  EXPECT_THAT(scope.why, HasSubstr("246..256"));
  // Read twice (a retarget makes a new sender): the map stays exact.
  EXPECT_TRUE(ReadFailoverChanges(image, kFailoverChangesDisk, 256, claim).usable);
  // Another reverse agent (or this one with its state lost) does not know the writes made through the first.
  const FailoverChangesScope other = ReadFailoverChanges(image, kFailoverChangesDisk, 256, tmp.path() / "other-claim.json");
  EXPECT_FALSE(other.usable);
  EXPECT_THAT(other.why, HasSubstr("claimed by another reverse agent"));
}

TEST(FailoverChangesTest, EverythingElseComparesTheWholeDiskAndSaysWhy) {
  TempDir tmp;
  const fs::path image = tmp.path() / "vda.img";
  const fs::path claim = tmp.path() / "agent-claim.json";
  FailoverChangesScope scope = ReadFailoverChanges(image, kFailoverChangesDisk, 256, claim);
  EXPECT_FALSE(scope.usable);
  EXPECT_THAT(scope.why, HasSubstr("no change map"));

  WriteMap(image, kFailoverChangesDisk, {{0, 4096}}, 256);
  scope = ReadFailoverChanges(image, kFailoverChangesDisk, std::nullopt, claim);
  EXPECT_FALSE(scope.usable);
  EXPECT_THAT(scope.why, HasSubstr("production's seq is unknown"));
  // Production journaled writes the history never got (or the map is older than production's last write).
  scope = ReadFailoverChanges(image, kFailoverChangesDisk, 260, claim);
  EXPECT_FALSE(scope.usable);
  EXPECT_THAT(scope.why,
              HasSubstr("production holds seq 260 but the change map covers the history up to seq 256"));
  // A map made for another disk size is not exact.
  scope = ReadFailoverChanges(image, 2 * kFailoverChangesDisk, 256, claim);
  EXPECT_FALSE(scope.usable);
  EXPECT_THAT(scope.why, HasSubstr("geometry_changed"));
  // The json is the commit mark: a bitmap without it is ignored.
  const fs::path other = tmp.path() / "vdb.img";
  WriteMap(other, kFailoverChangesDisk, {{0, 4096}}, 256);
  fs::remove(FailoverChangesMetaPath(other));
  EXPECT_FALSE(ReadFailoverChanges(other, kFailoverChangesDisk, 256, claim).usable);
}

TEST(FailoverChangesTest, MergeRangesJoinsOverlappingAndTouchingRanges) {
  EXPECT_EQ(
      internal::MergeRanges({{0, 4096}, {65536, 4096}}, {{4096, 4096}, {65536 + 2048, 8192}, {1 << 20, 1}}),
      (std::vector<DirtyRange>{{0, 8192}, {65536, 2048 + 8192}, {1 << 20, 1}}));
  EXPECT_EQ(internal::MergeRanges({}, {{5, 5}}), (std::vector<DirtyRange>{{5, 5}}));
}

}  // namespace
}  // namespace cdr::agent
