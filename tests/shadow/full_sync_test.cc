#include "agent/full_sync.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "tests/shadow/shadow_test_util.h"

namespace cdr::agent {
namespace {

TEST(FullSyncReaderTest, SkipsHolesAndZeroBlocks) {
  shadow::testing::TempDir dir;
  const auto path = dir / "disk.img";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 64 << 20), 0);
  const std::string a(8192, 'a'), zero(4096, '\0'), b(4096, 'b');
  ASSERT_EQ(::pwrite(fd, a.data(), a.size(), 1 << 20), static_cast<ssize_t>(a.size()));
  ASSERT_EQ(::pwrite(fd, zero.data(), zero.size(), (1 << 20) + 8192), 4096);  // allocated but zero
  ASSERT_EQ(::pwrite(fd, b.data(), b.size(), (1 << 20) + 12288), 4096);
  ASSERT_EQ(::pwrite(fd, b.data(), b.size(), 40 << 20), 4096);
  ::close(fd);
  auto reader = FullSyncReader::Open(path, 64 << 20, 4096, 1 << 20);
  ASSERT_TRUE(reader.ok());
  uint64_t cursor = 0, data_bytes = 0, chunks = 0;
  std::vector<std::pair<uint64_t, uint64_t>> runs_seen;
  std::vector<DataRun> runs;
  while (true) {
    Result<bool> more = (*reader)->NextChunk(&cursor, &runs);
    ASSERT_TRUE(more.ok());
    if (!*more) break;
    ++chunks;
    for (const auto& r : runs) {
      runs_seen.emplace_back(r.offset, r.data.size());
      data_bytes += r.data.size();
    }
  }
  EXPECT_EQ(cursor, 64u << 20);
  EXPECT_EQ(data_bytes, 16384u);
  EXPECT_EQ(runs_seen, (std::vector<std::pair<uint64_t, uint64_t>>{
                           {1 << 20, 8192}, {(1 << 20) + 12288, 4096}, {40 << 20, 4096}}));
  EXPECT_LE(chunks, 4u);  // holes are skipped without reading them
}

// The read-ahead follows the cursor NextChunk returned; a caller that starts elsewhere (a resumed sync, a
// second pass) gets the chunks of its own cursor, not those read ahead for the old one.
TEST(FullSyncReaderTest, AnotherCursorStartsTheReadAheadThere) {
  shadow::testing::TempDir dir;
  const auto path = dir / "disk.img";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 16 << 20), 0);
  for (int mib = 0; mib < 16; ++mib) {
    const std::string block(4096, static_cast<char>('A' + mib));
    ASSERT_EQ(::pwrite(fd, block.data(), block.size(), static_cast<off_t>(mib) << 20), 4096);
  }
  ::close(fd);
  auto reader = FullSyncReader::Open(path, 16 << 20, 4096, 1 << 20);
  ASSERT_TRUE(reader.ok());
  std::vector<DataRun> runs;
  auto first_byte_at = [&](uint64_t* cursor) -> int {
    Result<bool> more = (*reader)->NextChunk(cursor, &runs);
    if (!more.ok() || !*more || runs.size() != 1) return -1;
    return runs[0].data[0];
  };
  uint64_t cursor = 0;
  EXPECT_EQ(first_byte_at(&cursor), 'A');
  EXPECT_EQ(first_byte_at(&cursor), 'B');
  EXPECT_EQ(runs[0].offset, 1u << 20);
  cursor = 9ull << 20;  // chunks C, D, … were read ahead meanwhile
  EXPECT_EQ(first_byte_at(&cursor), 'J');
  EXPECT_EQ(runs[0].offset, 9u << 20);
  EXPECT_EQ(first_byte_at(&cursor), 'K');
  cursor = 2ull << 20;  // backwards too
  EXPECT_EQ(first_byte_at(&cursor), 'C');
  cursor = 16ull << 20;
  Result<bool> more = (*reader)->NextChunk(&cursor, &runs);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
  EXPECT_TRUE(runs.empty());
}

}  // namespace
}  // namespace cdr::agent
