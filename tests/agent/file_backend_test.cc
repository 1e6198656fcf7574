#include "agent/file_backend.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/process_test_util.h"

namespace cdr::agent {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

uint64_t AllocatedBytes(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

class FileBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(path_).close();
    fs::resize_file(path_, 8 << 20);
    auto b = FileBackend::Open(path_);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    backend_ = std::move(*b);
  }
  TempDir tmp_;
  fs::path path_ = tmp_ / "disk.img";
  std::unique_ptr<FileBackend> backend_;
};

TEST_F(FileBackendTest, WriteReadRoundTrip) {
  EXPECT_EQ(backend_->Size(), 8u << 20);
  std::vector<uint8_t> data(10000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 13);
  ASSERT_TRUE(backend_->Write(12345, data, true).ok());
  std::vector<uint8_t> back(data.size());
  ASSERT_TRUE(backend_->Read(12345, back).ok());
  EXPECT_EQ(back, data);
}

TEST_F(FileBackendTest, TrimPunchesHoles) {
  const std::vector<uint8_t> data(4 << 20, 0xee);
  ASSERT_TRUE(backend_->Write(0, data, false).ok());
  ASSERT_TRUE(backend_->Flush().ok());
  const uint64_t before = AllocatedBytes(path_);
  ASSERT_GE(before, 4u << 20);
  ASSERT_TRUE(backend_->Trim(0, 2 << 20, false).ok());
  EXPECT_LE(AllocatedBytes(path_), before - (2 << 20));
  std::vector<uint8_t> back(4096);
  ASSERT_TRUE(backend_->Read(4096, back).ok());
  EXPECT_EQ(back, std::vector<uint8_t>(4096, 0));
}

TEST_F(FileBackendTest, WriteZeroesPunchesUnlessNoHole) {
  const std::vector<uint8_t> data(2 << 20, 0x77);
  ASSERT_TRUE(backend_->Write(0, data, false).ok());
  ASSERT_TRUE(backend_->Write(4 << 20, data, false).ok());
  const uint64_t before = AllocatedBytes(path_);
  ASSERT_TRUE(backend_->WriteZeroes(0, 2 << 20, /*may_punch=*/true, false).ok());
  EXPECT_LE(AllocatedBytes(path_), before - (2 << 20));
  const uint64_t punched = AllocatedBytes(path_);
  ASSERT_TRUE(backend_->WriteZeroes(4 << 20, 2 << 20, /*may_punch=*/false, false).ok());
  EXPECT_EQ(AllocatedBytes(path_), punched);  // NO_HOLE: still allocated
  std::vector<uint8_t> back(2 << 20);
  ASSERT_TRUE(backend_->Read(4 << 20, back).ok());
  EXPECT_EQ(back, std::vector<uint8_t>(2 << 20, 0));
  ASSERT_TRUE(backend_->Read(0, back).ok());
  EXPECT_EQ(back, std::vector<uint8_t>(2 << 20, 0));
}

TEST(FileBackendOpenTest, MissingFileIsAnError) {
  TempDir tmp;
  EXPECT_FALSE(FileBackend::Open(tmp / "nope").ok());
  EXPECT_FALSE(FileBackend::Open(tmp.path()).ok());  // a directory
}

}  // namespace
}  // namespace cdr::agent
