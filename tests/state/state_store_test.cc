#include "state/state_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "state/internal/migrations.h"
#include "tests/support/test_state.h"

namespace cdr::state {
namespace {

using ::testing::HasSubstr;

TEST(StateStoreOpenTest, CreatesFileAndParentDirectoryInWalMode) {
  testing::TempDir dir;
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(dir.StatePath()));
  EXPECT_EQ(BackendOf(dir.StatePath()), StateBackend::kSqlite);

  SQLite::Database raw(dir.StatePath(), SQLite::OPEN_READONLY);
  EXPECT_EQ(raw.execAndGet("PRAGMA journal_mode").getString(), "wal");
}

// What both backends do alike.
class StateStoreBackendTest : public ::testing::TestWithParam<StateBackend> {};

TEST_P(StateStoreBackendTest, SchemaVersionIsLatest) {
  testing::TempDir dir(GetParam());
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->SchemaVersion(), internal::LatestSchemaVersion());
  EXPECT_GE((*store)->SchemaVersion(), 1);
}

TEST_P(StateStoreBackendTest, ReopeningKeepsData) {
  testing::TempDir dir(GetParam());
  {
    auto store = StateStore::Open(dir.StatePath());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ResourceRecord record;
    record.address = "group.web";
    record.kind = ResourceKind::kGroup;
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

TEST_P(StateStoreBackendTest, RefusesNewerSchema) {
  testing::TempDir dir(GetParam());
  ASSERT_TRUE(StateStore::Open(dir.StatePath()).ok());
  int newer = internal::LatestSchemaVersion() + 1;
  testing::SetRawSchemaVersion(dir.StatePath(), newer);
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("schema version " + std::to_string(newer)));
  EXPECT_THAT(store.status().message(), HasSubstr("upgrade cdr"));
}

TEST(StateStoreOpenTest, ForeignFileIsDataLoss) {
  testing::TempDir dir;
  std::filesystem::create_directories(std::filesystem::path(dir.StatePath()).parent_path());
  std::ofstream(dir.StatePath())
      << "this is not a database, just some text that is long enough to look like a "
         "header and more text to fill the first page of what sqlite reads\n";
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status().ToString();
}

TEST_P(StateStoreBackendTest, SerialStartsAtZeroAndBumps) {
  testing::TempDir dir(GetParam());
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Serial(), 0);
  EXPECT_EQ((*store)->BumpSerial(), 1);
  EXPECT_EQ((*store)->BumpSerial(), 2);
  EXPECT_EQ((*store)->Serial(), 2);
}

// A URL selects PostgreSQL; anything else stays a file. Passwords never reach a message.
TEST(StateLocationTest, UrlsSelectPostgresAndPasswordsAreRedacted) {
  EXPECT_EQ(BackendOf(".cdr/state.db"), StateBackend::kSqlite);
  EXPECT_EQ(BackendOf("postgres://db/cdr"), StateBackend::kPostgres);
  EXPECT_EQ(BackendOf("postgresql:///cdr?host=/run/pg"), StateBackend::kPostgres);
  EXPECT_EQ(RedactedLocation("postgres://ops:s3cret@db:5432/cdr"), "postgres://ops:***@db:5432/cdr");
  EXPECT_EQ(RedactedLocation("postgresql://db/cdr?sslmode=require&password=s3cret&user=ops"),
            "postgresql://db/cdr?sslmode=require&password=***&user=ops");
  EXPECT_EQ(RedactedLocation("postgres://ops@db/cdr"), "postgres://ops@db/cdr");
}

TEST(StateLocationTest, AnUnreachableServerIsUnavailableAndItsPasswordIsNotShown) {
  // Port 1 on loopback: nothing listens there.
  auto store = StateStore::Open("postgresql://ops:s3cret@127.0.0.1:1/cdr?connect_timeout=5");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(store.status().message(), HasSubstr("ops:***@127.0.0.1:1"));
  EXPECT_THAT(store.status().message(), ::testing::Not(HasSubstr("s3cret")));
}

INSTANTIATE_TEST_SUITE_P(Backends, StateStoreBackendTest, CDR_STATE_BACKENDS);

}  // namespace
}  // namespace cdr::state
