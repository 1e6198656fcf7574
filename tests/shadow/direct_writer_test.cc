// The repair's direct writes: aligned runs land in the image (and buffered readers of it see them, even with
// the old bytes cached), anything else is handed back to the caller's buffered write untouched.
#include "shadow/internal/direct_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <utility>
#include <vector>

#include "tests/support/process_test_util.h"

namespace cdr::shadow::internal {
namespace {

constexpr uint64_t kImageBytes = 4 << 20;

std::vector<uint8_t> Pattern(size_t length, uint8_t seed) {
  std::vector<uint8_t> v(length);
  for (size_t i = 0; i < length; ++i) v[i] = static_cast<uint8_t>(seed + i * 31 + i / 4096);
  return v;
}

// Reads through a buffered descriptor, as the replica's hashing and verify do.
std::vector<uint8_t> ReadBuffered(int fd, uint64_t offset, size_t length) {
  std::vector<uint8_t> v(length);
  EXPECT_EQ(::pread(fd, v.data(), length, static_cast<off_t>(offset)), static_cast<ssize_t>(length));
  return v;
}

class DirectWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    image_ = dir_ / "disk0.img";
    fd_ = ::open(image_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(fd_, 0);
    ASSERT_EQ(::ftruncate(fd_, kImageBytes), 0);
    ASSERT_EQ(::pwrite(fd_, old_.data(), old_.size(), 0), static_cast<ssize_t>(old_.size()));
  }
  void TearDown() override { ::close(fd_); }

  cdr::testing::TempDir dir_;
  std::filesystem::path image_;
  int fd_ = -1;
  const std::vector<uint8_t> old_ = Pattern(kImageBytes, 7);
};

TEST_F(DirectWriterTest, AlignedRunsReachTheImageAndCachedReadersSeeThem) {
  ASSERT_EQ(ReadBuffered(fd_, 0, kImageBytes), old_);  // now in the page cache
  DirectWriter writer(image_);
  // Larger than the 1 MiB bounce buffer, so it goes in several writes.
  const std::vector<uint8_t> run = Pattern((1 << 20) + 3 * 4096, 99);
  Result<bool> wrote = writer.Write(1 << 20, run);
  ASSERT_TRUE(wrote.ok()) << wrote.status().ToString();
  // Some filesystems refuse O_DIRECT (the caller then writes buffered): nothing to check there.
  if (!*wrote) GTEST_SKIP() << "O_DIRECT refused on this filesystem";
  EXPECT_EQ(ReadBuffered(fd_, 1 << 20, run.size()), run);
  // The rest of the image is what it was.
  std::vector<uint8_t> expected = old_;
  std::copy(run.begin(), run.end(), expected.begin() + (1 << 20));
  EXPECT_EQ(ReadBuffered(fd_, 0, kImageBytes), expected);
}

TEST_F(DirectWriterTest, UnalignedRunsAreLeftToTheCaller) {
  DirectWriter writer(image_);
  const std::vector<uint8_t> run = Pattern(8192, 1);
  for (auto [offset, length] : {std::pair<uint64_t, size_t>{512, 4096}, {4096, 4000}, {4096, 0}}) {
    Result<bool> wrote = writer.Write(offset, std::span(run).first(length));
    ASSERT_TRUE(wrote.ok()) << wrote.status().ToString();
    EXPECT_FALSE(*wrote) << offset << "+" << length;
  }
  EXPECT_EQ(ReadBuffered(fd_, 0, kImageBytes), old_);
}

TEST_F(DirectWriterTest, AnImageThatCannotBeOpenedIsAnError) {
  DirectWriter writer(dir_ / "missing.img");
  Result<bool> wrote = writer.Write(0, Pattern(4096, 3));
  EXPECT_FALSE(wrote.ok());
}

}  // namespace
}  // namespace cdr::shadow::internal
