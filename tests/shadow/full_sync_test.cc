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

}  // namespace
}  // namespace cdr::agent
