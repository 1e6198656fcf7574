#include "state/state_migrate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "state/state_integrity.h"
#include "state/state_store.h"
#include "tests/support/test_state.h"

namespace cdr::state {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<StateStore> OpenOrDie(const std::string& location) {
  auto opened = StateStore::Open(location);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

// An estate with something in every table: resources with JSON, a serial, jobs with events (one failed), an
// apply, and RPO samples with a fraction no decimal text round trip keeps.
void Populate(StateStore& store) {
  ASSERT_TRUE(store.Put({.address = "group.web", .kind = ResourceKind::kGroup, .status = "created"}).ok());
  ASSERT_TRUE(
      store
          .Put({.address = "group.web.server.web_1",
                .kind = ResourceKind::kServer,
                .provider_id = "agent-1",
                .status = "initialized",
                .attributes = {{"host", "host-1"}, {"disk_mib", 16}, {"note", "quote ' and \" and ?"}}})
          .ok());
  store.BumpSerial();
  store.BumpSerial();
  auto job = store.StartJob("group.web.server.web_1", "create");
  ASSERT_TRUE(job.ok());
  ASSERT_TRUE(store.AddJobEvent(*job, "", "creating", "started").ok());
  ASSERT_TRUE(store.AddJobEvent(*job, "creating", "initialized", "done").ok());
  ASSERT_TRUE(store.FinishJob(*job, JobStatus::kSucceeded).ok());
  auto failed = store.StartJob("group.web", "update");
  ASSERT_TRUE(failed.ok());
  ASSERT_TRUE(store.FinishJob(*failed, JobStatus::kFailed, "provider said no").ok());
  ASSERT_TRUE(store.RecordApply({.serial = 2, .git_commit = "abc123", .source = "specs", .changes = 2}).ok());
  ASSERT_TRUE(store.AddRpoSamples({{"group.web.server.web_1", 1000, 0.1 + 0.2, true, "healthy"},
                                   {"group.web.server.web_1", 2000, -1, false, "unknown"}},
                                  0)
                  .ok());
}

TEST(StateMigrateTest, SqliteToPostgresAndBackIsLossless) {
  testing::TempDir sqlite;
  testing::TempDir postgres(StateBackend::kPostgres);
  const std::string back = (sqlite.path() / "back.db").string();
  {
    auto store = OpenOrDie(sqlite.StatePath());
    ASSERT_NE(store, nullptr);
    Populate(*store);
  }
  auto there = MigrateState(sqlite.StatePath(), postgres.StatePath(), {});
  ASSERT_TRUE(there.ok()) << there.status().ToString();
  EXPECT_EQ(there->serial, 2);
  EXPECT_EQ(there->rows["resources"], 2);
  EXPECT_EQ(there->rows["jobs"], 2);
  EXPECT_EQ(there->rows["job_events"], 2);
  EXPECT_EQ(there->rows["applies"], 1);
  EXPECT_EQ(there->rows["rpo_samples"], 2);
  auto home = MigrateState(postgres.StatePath(), back, {});
  ASSERT_TRUE(home.ok()) << home.status().ToString();

  auto original = DumpState(sqlite.StatePath());
  auto returned = DumpState(back);
  ASSERT_TRUE(original.ok() && returned.ok());
  EXPECT_EQ(*original, *returned);
  EXPECT_THAT(*original, HasSubstr("agent-1"));

  // Read through the store on PostgreSQL, not only dumped: the same estate, and new ids follow the copied ones.
  auto pg = OpenOrDie(postgres.StatePath());
  ASSERT_NE(pg, nullptr);
  EXPECT_EQ(pg->Serial(), 2);
  ASSERT_EQ(pg->Resources().size(), 2u);
  EXPECT_EQ(pg->Get("group.web.server.web_1")->attributes["note"], "quote ' and \" and ?");
  ASSERT_EQ(pg->Jobs().size(), 2u);
  EXPECT_EQ(pg->Jobs()[0].error, "provider said no");
  EXPECT_EQ(pg->JobEvents(pg->Jobs()[1].id).size(), 2u);
  EXPECT_EQ(pg->History()[0].git_commit, "abc123");
  EXPECT_EQ(pg->RpoSamples("group.web.server.web_1", 0)[0].rpo_seconds, 0.1 + 0.2);
  auto next = pg->StartJob("group.web", "delete");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, pg->Jobs()[1].id + 1);
}

TEST(StateMigrateTest, ANonEmptyDestinationIsRefusedUnlessReplaced) {
  testing::TempDir sqlite;
  testing::TempDir postgres(StateBackend::kPostgres);
  {
    auto store = OpenOrDie(sqlite.StatePath());
    ASSERT_NE(store, nullptr);
    Populate(*store);
    auto dest = OpenOrDie(postgres.StatePath());
    ASSERT_NE(dest, nullptr);
    ASSERT_TRUE(
        dest->Put({.address = "group.other", .kind = ResourceKind::kGroup, .status = "created"}).ok());
  }
  auto refused = MigrateState(sqlite.StatePath(), postgres.StatePath(), {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("is not empty (1 resources)"));
  EXPECT_THAT(refused.status().message(), HasSubstr("--force"));
  EXPECT_TRUE(OpenOrDie(postgres.StatePath())->Get("group.other").has_value()) << "a refusal changed nothing";

  auto replaced = MigrateState(sqlite.StatePath(), postgres.StatePath(), {.replace_existing = true});
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_FALSE(OpenOrDie(postgres.StatePath())->Get("group.other").has_value());
  EXPECT_EQ(*DumpState(sqlite.StatePath()), *DumpState(postgres.StatePath()));
}

TEST(StateMigrateTest, APostgresStateIsBackedUpToAFileAndRestored) {
  testing::TempDir postgres(StateBackend::kPostgres);
  const auto backup = postgres.path() / "pg.backup";
  {
    auto store = OpenOrDie(postgres.StatePath());
    ASSERT_NE(store, nullptr);
    Populate(*store);
  }
  ASSERT_TRUE(BackupState(postgres.StatePath(), backup).ok());
  const std::string before = *DumpState(postgres.StatePath());
  ASSERT_TRUE(OpenOrDie(postgres.StatePath())->Delete("group.web").ok());
  Status restored = RestoreState(postgres.StatePath(), backup);
  ASSERT_TRUE(restored.ok()) << restored.ToString();
  EXPECT_EQ(*DumpState(postgres.StatePath()), before);
}

}  // namespace
}  // namespace cdr::state
