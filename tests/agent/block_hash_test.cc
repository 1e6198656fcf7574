// agent/internal/block_hash.h: a sparse file hashes as its bytes do, whether a block is read, partly read or
// left in a hole (whose known zero hash is used instead of hashing zeroes again).
#include "agent/internal/block_hash.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/support/process_test_util.h"

namespace cdr::agent::internal {
namespace {

constexpr uint32_t kBlock = 4096;

TEST(BlockHashTest, HolesAndDataRunsHashAsTheirBytes) {
  cdr::testing::TempDir dir;
  const std::string path = (dir.path() / "disk.img").string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  constexpr uint64_t kSize = 64ull << 20;
  ASSERT_EQ(::ftruncate(fd, kSize), 0);
  // Data that starts and ends inside blocks, one lone block far away, and a run at the very end.
  std::vector<uint8_t> bytes(kSize, 0);
  auto put = [&](uint64_t at, size_t n, uint8_t seed) {
    std::vector<uint8_t> data(n);
    for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>(seed + i * 7);
    ASSERT_EQ(::pwrite(fd, data.data(), n, static_cast<off_t>(at)), static_cast<ssize_t>(n));
    std::copy(data.begin(), data.end(), bytes.begin() + static_cast<std::ptrdiff_t>(at));
  };
  put((8ull << 20) + 100, 3 * kBlock, 1);
  put(32ull << 20, kBlock, 2);
  put(kSize - 2 * kBlock - 10, 2 * kBlock + 10, 3);

  std::vector<uint8_t> buffer;
  std::vector<wire::Hash128> hashes;
  for (uint64_t offset = 0; offset < kSize; offset += 16ull << 20) {
    ASSERT_TRUE(HashRange(fd, offset, 16ull << 20, kSize, kBlock, &buffer, &hashes).ok());
    ASSERT_EQ(hashes.size(), (16ull << 20) / kBlock);
    for (size_t i = 0; i < hashes.size(); ++i) {
      const wire::Hash128 want = HashBlock(std::span(bytes).subspan(offset + i * kBlock, kBlock));
      ASSERT_TRUE(hashes[i].low == want.low && hashes[i].high == want.high) << "block at " << offset + i * kBlock;
    }
  }
  // A range clipped by the disk's end: its short last block is hashed as read.
  ASSERT_TRUE(HashRange(fd, kSize - kBlock - 100, 2 * kBlock, kSize, kBlock, &buffer, &hashes).ok());
  ASSERT_EQ(hashes.size(), 2u);
  const wire::Hash128 tail = HashBlock(std::span(bytes).subspan(kSize - 100, 100));
  EXPECT_TRUE(hashes[1].low == tail.low && hashes[1].high == tail.high);
  ::close(fd);
}

}  // namespace
}  // namespace cdr::agent::internal
