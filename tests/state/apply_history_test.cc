#include <gtest/gtest.h>

#include "state/internal/migrations.h"
#include "state/state_store.h"
#include "tests/support/test_state.h"

namespace cdr::state {
namespace {

class ApplyHistoryTest : public testing::OpenedStoreTest {};

TEST_P(ApplyHistoryTest, RecordsNewestFirstWithOperator) {
  AppliedRecord first{.serial = 1, .git_commit = "aaa", .source = "git repo@main:specs", .plan_digest = "d1",
                      .changes = 5};
  ASSERT_TRUE(store_->RecordApply(first).ok());
  AppliedRecord second{.serial = 2, .source = "specs", .plan_digest = "d2", .changes = 1, .failed = 1};
  ASSERT_TRUE(store_->RecordApply(second).ok());
  auto history = store_->History();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].serial, 2);
  EXPECT_EQ(history[0].failed, 1);
  EXPECT_EQ(history[1].git_commit, "aaa");
  EXPECT_EQ(history[1].changes, 5);
  EXPECT_EQ(history[1].operator_name, StateStore::OperatorName());
  EXPECT_GT(history[1].applied_at, 0);
  EXPECT_NE(StateStore::OperatorName().find('@'), std::string::npos);
}

TEST_P(ApplyHistoryTest, AnApplyIsOpenUntilFinished) {
  auto id = store_->RecordApply({.serial = 1, .git_commit = "c1", .changes = 3});
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(store_->History()[0].finished_at, 0);
  ASSERT_TRUE(store_->FinishApply(*id, 1).ok());
  AppliedRecord done = store_->History()[0];
  EXPECT_GT(done.finished_at, 0);
  EXPECT_EQ(done.failed, 1);
  EXPECT_EQ(store_->FinishApply(*id + 1, 0).code(), StatusCode::kNotFound);
}

TEST_P(ApplyHistoryTest, LastAppliedCommitSkipsAppliesWithoutOne) {
  EXPECT_FALSE(store_->LastAppliedCommit().has_value());
  ASSERT_TRUE(store_->RecordApply({.serial = 1, .git_commit = "c1"}).ok());
  ASSERT_TRUE(store_->RecordApply({.serial = 2, .git_commit = "c2", .rollback = true}).ok());
  ASSERT_TRUE(store_->RecordApply({.serial = 3, .source = "specs"}).ok());
  auto last = store_->LastAppliedCommit();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->git_commit, "c2");
  EXPECT_TRUE(last->rollback);
}

class ApplyHistoryMigrationTest : public ::testing::TestWithParam<StateBackend> {};

TEST_P(ApplyHistoryMigrationTest, AVersionOneStateIsMigratedKeepingItsData) {
  testing::TempDir dir(GetParam());
  {
    auto store = StateStore::Open(dir.StatePath());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(
        (*store)->Put({.address = "group.web", .kind = ResourceKind::kGroup, .status = "created"}).ok());
  }
  {
    // Turn the state back into what the first cdr release wrote.
    testing::ExecRaw(dir.StatePath(), "DROP TABLE applies; DROP TABLE rpo_samples;");
    testing::SetRawSchemaVersion(dir.StatePath(), 1);
  }
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->SchemaVersion(), internal::LatestSchemaVersion());
  EXPECT_TRUE((*store)->Get("group.web").has_value());
  EXPECT_TRUE((*store)->RecordApply({.serial = 1, .git_commit = "c1"}).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, ApplyHistoryTest, CDR_STATE_BACKENDS);
INSTANTIATE_TEST_SUITE_P(Backends, ApplyHistoryMigrationTest, CDR_STATE_BACKENDS);

}  // namespace
}  // namespace cdr::state
