#include "agent/fence_layer.h"

#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "agent/file_backend.h"
#include "agent/io_status.h"
#include "agent/nbd_protocol.h"
#include "tests/support/process_test_util.h"

namespace cdr::agent {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

class FenceLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(disk_).close();
    fs::resize_file(disk_, 1 << 20);
    auto fence = WriteFence::Open(tmp_.path());
    ASSERT_TRUE(fence.ok()) << fence.status().ToString();
    fence_ = *fence;
    auto file = FileBackend::Open(disk_);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    layer_ = std::make_unique<FenceLayer>(std::move(*file), fence_, "vda");
  }

  TempDir tmp_;
  fs::path disk_ = tmp_ / "disk.img";
  std::shared_ptr<WriteFence> fence_;
  std::unique_ptr<FenceLayer> layer_;
};

TEST_F(FenceLayerTest, FencedRefusesWritesTrimsAndZeroesWithEpermButReads) {
  std::vector<uint8_t> data(4096, 0xab);
  ASSERT_TRUE(layer_->Write(0, data, false).ok());
  ASSERT_TRUE(fence_->Raise().ok());

  Status write = layer_->Write(0, std::vector<uint8_t>(4096, 0xcd), false);
  EXPECT_EQ(NbdErrorFor(write), nbd::kEPerm);
  EXPECT_NE(write.message().find("export vda is fenced"), std::string::npos) << write.message();
  EXPECT_EQ(NbdErrorFor(layer_->Trim(0, 4096, false)), nbd::kEPerm);
  EXPECT_EQ(NbdErrorFor(layer_->WriteZeroes(0, 4096, true, false)), nbd::kEPerm);
  EXPECT_TRUE(layer_->Flush().ok());

  std::vector<uint8_t> read(4096);
  ASSERT_TRUE(layer_->Read(0, read).ok());
  EXPECT_EQ(read, data);  // the refused write changed nothing
}

TEST_F(FenceLayerTest, FenceSurvivesReopenUntilLifted) {
  ASSERT_TRUE(fence_->Raise().ok());
  auto reopened = WriteFence::Open(tmp_.path());
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE((*reopened)->fenced());

  ASSERT_TRUE((*reopened)->Lift().ok());
  auto again = WriteFence::Open(tmp_.path());
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE((*again)->fenced());
}

TEST_F(FenceLayerTest, LiftedAcceptsWritesAgain) {
  ASSERT_TRUE(fence_->Raise().ok());
  ASSERT_TRUE(fence_->Lift().ok());
  EXPECT_TRUE(layer_->Write(0, std::vector<uint8_t>(4096, 1), false).ok());
}

TEST_F(FenceLayerTest, MalformedFenceFileIsDataLoss) {
  std::ofstream(tmp_ / "fence.json") << "{\"fenced\": \"yes\"}";
  auto fence = WriteFence::Open(tmp_.path());
  ASSERT_FALSE(fence.ok());
  EXPECT_EQ(fence.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(fence.status().message().find("fence.json"), std::string::npos);
}

}  // namespace
}  // namespace cdr::agent
