#include "agent/dirty_bitmap.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "agent/export_stack.h"
#include "tests/support/process_test_util.h"

namespace cdr::agent {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

constexpr uint64_t kDisk = 64ull << 20;
constexpr uint64_t kDirtyBitmapGranule = 64 * 1024;

std::unique_ptr<DirtyBitmap> OpenBitmap(const fs::path& path, uint64_t size = kDisk) {
  auto b = DirtyBitmap::Open(path, size, kDirtyBitmapGranule);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? std::move(*b) : nullptr;
}

TEST(DirtyBitmapTest, MarksEveryBlockARangeTouches) {
  TempDir tmp;
  auto bitmap = OpenBitmap(tmp / "bm");
  EXPECT_EQ(bitmap->recovery(), BitmapRecovery::kNew);
  ASSERT_TRUE(bitmap->Mark(kDirtyBitmapGranule - 1, 2).ok());  // straddles blocks 0 and 1
  ASSERT_TRUE(bitmap->Mark(10 * kDirtyBitmapGranule, 1).ok());
  ASSERT_TRUE(bitmap->Mark(63 * kDirtyBitmapGranule, 3 * kDirtyBitmapGranule).ok());  // crosses a 64-bit word
  EXPECT_EQ(bitmap->CountDirtyBlocks(), 6u);
  EXPECT_EQ(bitmap->DirtyRanges(),
            (std::vector<DirtyRange>{{0, 2 * kDirtyBitmapGranule}, {10 * kDirtyBitmapGranule, kDirtyBitmapGranule}, {63 * kDirtyBitmapGranule, 3 * kDirtyBitmapGranule}}));
  // Clear only drops blocks wholly inside the range.
  ASSERT_TRUE(bitmap->Clear(kDirtyBitmapGranule / 2, kDirtyBitmapGranule * 3 / 2).ok());
  EXPECT_TRUE(bitmap->IsDirty(0));
  EXPECT_FALSE(bitmap->IsDirty(kDirtyBitmapGranule));
}

TEST(DirtyBitmapTest, PersistsAcrossCleanReopen) {
  TempDir tmp;
  {
    auto bitmap = OpenBitmap(tmp / "bm");
    ASSERT_TRUE(bitmap->Mark(5 * kDirtyBitmapGranule, 100).ok());
    ASSERT_TRUE(bitmap->Mark(kDisk - 1, 1).ok());
    ASSERT_TRUE(bitmap->CloseClean().ok());
  }
  auto bitmap = OpenBitmap(tmp / "bm");
  EXPECT_EQ(bitmap->recovery(), BitmapRecovery::kClean);
  EXPECT_EQ(bitmap->CountDirtyBlocks(), 2u);
  EXPECT_TRUE(bitmap->IsDirty(5 * kDirtyBitmapGranule));
  EXPECT_TRUE(bitmap->IsDirty(kDisk - 1));
}

TEST(DirtyBitmapTest, MarksSurviveACloseWithoutCleanMarker) {
  TempDir tmp;
  {
    auto bitmap = OpenBitmap(tmp / "bm");
    ASSERT_TRUE(bitmap->Mark(7 * kDirtyBitmapGranule, 1).ok());
  }  // no CloseClean: as if the agent died
  auto bitmap = OpenBitmap(tmp / "bm");
  EXPECT_EQ(bitmap->recovery(), BitmapRecovery::kAgentCrash);
  EXPECT_TRUE(bitmap->IsDirty(7 * kDirtyBitmapGranule));
}

TEST(DirtyBitmapTest, SecondOpenerIsRefused) {
  TempDir tmp;
  auto first = OpenBitmap(tmp / "bm");
  auto second = DirtyBitmap::Open(tmp / "bm", kDisk, kDirtyBitmapGranule);
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
}

TEST(DirtyBitmapTest, ResizedDiskMarksEverythingDirty) {
  TempDir tmp;
  { ASSERT_TRUE(OpenBitmap(tmp / "bm")->CloseClean().ok()); }
  auto bitmap = OpenBitmap(tmp / "bm", 2 * kDisk);
  EXPECT_EQ(bitmap->recovery(), BitmapRecovery::kGeometryChanged);
  EXPECT_EQ(bitmap->CountDirtyBlocks(), 2 * kDisk / kDirtyBitmapGranule);
}

// The journal is the second line of defence: a bitmap whose file lost its marks is rebuilt from it.
TEST(ExportStackTest, UncleanStopRebuildsBitmapFromJournalTail) {
  TempDir tmp;
  const fs::path disk = tmp / "disk.img";
  std::ofstream(disk).close();
  fs::resize_file(disk, kDisk);
  ExportConfig config{"disk0", disk, tmp / "state"};
  const std::vector<uint8_t> data(4096, 0x5a);
  {
    auto stack = ExportStack::Open(config);
    ASSERT_TRUE(stack.ok()) << stack.status().ToString();
    ASSERT_TRUE((*stack)->device()->Write(3 * kDirtyBitmapGranule, data, false).ok());
    ASSERT_TRUE((*stack)->device()->WriteZeroes(20 * kDirtyBitmapGranule, 2 * kDirtyBitmapGranule, true, false).ok());
    ASSERT_TRUE((*stack)->device()->Flush().ok());
    EXPECT_EQ((*stack)->bitmap().CountDirtyBlocks(), 3u);
  }  // destroyed without CloseClean
  {
    // Wipe the bitmap's words but keep its "open" header, as if its writes had been lost.
    const fs::path bm = tmp / "state" / "disk0" / "dirty.bitmap";
    std::fstream f(bm, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);
    const std::string zeroes(fs::file_size(bm) - 4096, '\0');
    f.write(zeroes.data(), static_cast<std::streamsize>(zeroes.size()));
  }
  auto stack = ExportStack::Open(config);
  ASSERT_TRUE(stack.ok()) << stack.status().ToString();
  EXPECT_EQ((*stack)->recovery(), BitmapRecovery::kAgentCrash);
  EXPECT_EQ((*stack)->replayed_records(), 2u);
  EXPECT_FALSE((*stack)->needs_repair());
  EXPECT_TRUE((*stack)->bitmap().IsDirty(3 * kDirtyBitmapGranule));
  EXPECT_TRUE((*stack)->bitmap().IsDirty(21 * kDirtyBitmapGranule));
  EXPECT_EQ((*stack)->bitmap().CountDirtyBlocks(), 3u);
  ASSERT_TRUE((*stack)->CloseClean().ok());
  stack->reset();  // releases the state lock
  stack = ExportStack::Open(config);
  ASSERT_TRUE(stack.ok());
  EXPECT_EQ((*stack)->recovery(), BitmapRecovery::kClean);
  EXPECT_EQ((*stack)->replayed_records(), 0u);
}

TEST(ExportStackTest, FullJournalStillWritesAndMarks) {
  TempDir tmp;
  const fs::path disk = tmp / "disk.img";
  std::ofstream(disk).close();
  fs::resize_file(disk, kDisk);
  ExportConfig config{"disk0", disk, tmp / "state"};
  config.journal.segment_bytes = 64 * 1024;
  config.journal.max_bytes = 128 * 1024;
  auto stack = ExportStack::Open(config);
  ASSERT_TRUE(stack.ok());
  const std::vector<uint8_t> data(16 * 1024, 0x11);
  for (uint64_t i = 0; i < 16; ++i) {
    ASSERT_TRUE((*stack)->device()->Write(i * kDirtyBitmapGranule, data, false).ok());
  }
  EXPECT_TRUE((*stack)->journal().full());
  EXPECT_EQ((*stack)->bitmap().CountDirtyBlocks(), 16u);
  std::vector<uint8_t> back(data.size());
  ASSERT_TRUE((*stack)->device()->Read(15 * kDirtyBitmapGranule, back).ok());
  EXPECT_EQ(back, data);
}

}  // namespace
}  // namespace cdr::agent
