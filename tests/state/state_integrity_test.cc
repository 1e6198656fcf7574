// Issue #13 finding 7: one flipped bit of the page count in state.db and every read came back empty, so
// `status` said "No protection groups" and `plan` offered to create everything again. Now the file is
// checked when it is opened, and backup/restore give a way back.
#include "state/state_integrity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "state/state_store.h"
#include "tests/support/test_state.h"

namespace cdr::state {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class StateIntegrityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = StateStore::Open(dir_.StatePath());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (int i = 0; i < 100; ++i) {
      ResourceRecord r{"group.g" + std::to_string(i),
                       ResourceKind::kGroup,
                       "",
                       "created",
                       {{"pad", std::string(300, 'x')}}};
      ASSERT_TRUE((*store)->Put(r).ok());
    }
  }  // closing the last connection checkpoints the WAL into state.db

  void FlipPageCountBit() {
    std::fstream f(dir_.StatePath(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(31);
    char byte = 0;
    f.read(&byte, 1);
    byte ^= 0x01;
    f.seekp(31);
    f.write(&byte, 1);
  }

  testing::TempDir dir_;
};

TEST_F(StateIntegrityTest, AFlippedPageCountBitIsRefusedWithHowToRestore) {
  FlipPageCountBit();
  auto store = StateStore::Open(dir_.StatePath());
  ASSERT_FALSE(store.ok()) << "a damaged state was opened";
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(store.status().message(), HasSubstr("is damaged"));
  EXPECT_THAT(store.status().message(), HasSubstr("cdr state restore"));
}

TEST_F(StateIntegrityTest, BackupThenRestoreBringsADamagedStateBack) {
  const fs::path backup = dir_.path() / "state.backup";
  ASSERT_TRUE(BackupState(dir_.StatePath(), backup).ok());
  EXPECT_EQ(fs::status(backup).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  FlipPageCountBit();
  EXPECT_FALSE(BackupState(dir_.StatePath(), dir_.path() / "second.backup").ok())
      << "a damaged state was copied";
  Status restored = RestoreState(dir_.StatePath(), backup);
  ASSERT_TRUE(restored.ok()) << restored.ToString();
  auto store = StateStore::Open(dir_.StatePath());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Resources().size(), 100u);
}

TEST_F(StateIntegrityTest, RestoreIsRefusedWhileALiveProcessHoldsTheLock) {
  const fs::path backup = dir_.path() / "state.backup";
  ASSERT_TRUE(BackupState(dir_.StatePath(), backup).ok());
  auto store = StateStore::Open(dir_.StatePath());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->AcquireLock({"apply"}).ok());
  Status restored = RestoreState(dir_.StatePath(), backup);
  EXPECT_EQ(restored.code(), StatusCode::kFailedPrecondition) << restored.ToString();
  EXPECT_THAT(restored.message(), HasSubstr("locked by"));
}

TEST_F(StateIntegrityTest, ADamagedBackupIsNotRestored) {
  std::ofstream(dir_.path() / "junk.backup") << std::string(8192, 'j');
  EXPECT_FALSE(RestoreState(dir_.StatePath(), dir_.path() / "junk.backup").ok());
  EXPECT_TRUE(StateStore::Open(dir_.StatePath()).ok()) << "the good state was replaced";
}

}  // namespace
}  // namespace cdr::state
