#include "state/state_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "state/internal/migrations.h"
#include "tests/state/temp_dir.h"

namespace cdr::state {
namespace {

using ::testing::HasSubstr;

TEST(StateStoreOpenTest, CreatesFileAndParentDirectoryInWalMode) {
  testing::TempDir dir;
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(dir.StatePath()));

  SQLite::Database raw(dir.StatePath(), SQLite::OPEN_READONLY);
  EXPECT_EQ(raw.execAndGet("PRAGMA journal_mode").getString(), "wal");
}

TEST(StateStoreOpenTest, SchemaVersionIsLatest) {
  testing::TempDir dir;
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->SchemaVersion(), internal::LatestSchemaVersion());
  EXPECT_GE((*store)->SchemaVersion(), 1);
}

TEST(StateStoreOpenTest, ReopeningKeepsData) {
  testing::TempDir dir;
  {
    auto store = StateStore::Open(dir.StatePath());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ResourceRecord record;
    record.address = "group.web";
    record.kind = "group";
    record.status = "created";
    ASSERT_TRUE((*store)->Put(record).ok());
    (*store)->BumpSerial();
  }
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto got = (*store)->Get("group.web");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, "created");
  EXPECT_EQ((*store)->Serial(), 1);
  EXPECT_EQ((*store)->SchemaVersion(), internal::LatestSchemaVersion());
}

TEST(StateStoreOpenTest, RefusesNewerSchema) {
  testing::TempDir dir;
  ASSERT_TRUE(StateStore::Open(dir.StatePath()).ok());
  int newer = internal::LatestSchemaVersion() + 1;
  {
    SQLite::Database raw(dir.StatePath(), SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = " + std::to_string(newer));
  }
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("schema version " + std::to_string(newer)));
  EXPECT_THAT(store.status().message(), HasSubstr("upgrade cdr"));
}

TEST(StateStoreOpenTest, ForeignFileIsDataLoss) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.StatePath().parent_path());
  std::ofstream(dir.StatePath())
      << "this is not a database, just some text that is long enough to look like a "
         "header and more text to fill the first page of what sqlite reads\n";
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status().ToString();
}

TEST(StateStoreSerialTest, StartsAtZeroAndBumps) {
  testing::TempDir dir;
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Serial(), 0);
  EXPECT_EQ((*store)->BumpSerial(), 1);
  EXPECT_EQ((*store)->BumpSerial(), 2);
  EXPECT_EQ((*store)->Serial(), 2);
}

}  // namespace
}  // namespace cdr::state
