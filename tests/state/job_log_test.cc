#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "state/state_store.h"
#include "tests/support/test_state.h"

namespace cdr::state {
namespace {

class JobLogTest : public testing::OpenedStoreTest {};

TEST_P(JobLogTest, StartedJobIsRunning) {
  auto id = store_->StartJob("group.web.server.a", "register");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto jobs = store_->Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].id, *id);
  EXPECT_EQ(jobs[0].address, "group.web.server.a");
  EXPECT_EQ(jobs[0].operation, "register");
  EXPECT_EQ(jobs[0].status, JobStatus::kRunning);
  EXPECT_EQ(jobs[0].progress, 0);
  EXPECT_GT(jobs[0].started_at, 0);
  EXPECT_EQ(jobs[0].finished_at, 0);
}

TEST_P(JobLogTest, ProgressThenSuccessSetsHundredAndFinishTime) {
  int64_t id = *store_->StartJob("group.web", "create");
  ASSERT_TRUE(store_->UpdateJobProgress(id, 40).ok());
  EXPECT_EQ(store_->Jobs()[0].progress, 40);
  ASSERT_TRUE(store_->FinishJob(id, JobStatus::kSucceeded).ok());
  Job job = store_->Jobs()[0];
  EXPECT_EQ(job.status, JobStatus::kSucceeded);
  EXPECT_EQ(job.progress, 100);
  EXPECT_GE(job.finished_at, job.started_at);
  EXPECT_EQ(job.error, "");
}

TEST_P(JobLogTest, FailureKeepsProgressAndError) {
  int64_t id = *store_->StartJob("group.web", "create");
  ASSERT_TRUE(store_->UpdateJobProgress(id, 30).ok());
  ASSERT_TRUE(store_->FinishJob(id, JobStatus::kFailed, "quota exceeded").ok());
  Job job = store_->Jobs()[0];
  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.progress, 30);
  EXPECT_EQ(job.error, "quota exceeded");
  EXPECT_GT(job.finished_at, 0);
}

TEST_P(JobLogTest, AbandonRunningJobsFailsOnlyUnfinishedOnes) {
  int64_t done = *store_->StartJob("group.web", "create");
  ASSERT_TRUE(store_->FinishJob(done, JobStatus::kSucceeded).ok());
  int64_t stuck = *store_->StartJob("group.web.peering", "create");
  auto marked = store_->AbandonRunningJobs("interrupted");
  ASSERT_TRUE(marked.ok());
  EXPECT_EQ(*marked, 1);
  for (const Job& j : store_->Jobs()) {
    if (j.id == stuck) {
      EXPECT_EQ(j.status, JobStatus::kFailed);
      EXPECT_EQ(j.error, "interrupted");
      EXPECT_GT(j.finished_at, 0);
    } else {
      EXPECT_EQ(j.status, JobStatus::kSucceeded);
      EXPECT_EQ(j.error, "");
    }
  }
}

TEST_P(JobLogTest, JobsAreNewestFirstAndLimited) {
  int64_t first = *store_->StartJob("a", "create");
  int64_t second = *store_->StartJob("b", "create");
  int64_t third = *store_->StartJob("c", "delete");
  auto jobs = store_->Jobs();
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].id, third);
  EXPECT_EQ(jobs[1].id, second);
  EXPECT_EQ(jobs[2].id, first);
  EXPECT_EQ(store_->Jobs(2).size(), 2u);
}

TEST_P(JobLogTest, EventsAreKeptInOrderPerJob) {
  int64_t id = *store_->StartJob("group.web.server.a", "start");
  int64_t other = *store_->StartJob("group.web.server.b", "start");
  ASSERT_TRUE(store_->AddJobEvent(id, "initialized", "replication_starting", "scan disks").ok());
  ASSERT_TRUE(store_->AddJobEvent(other, "initialized", "replication_starting", "").ok());
  ASSERT_TRUE(store_->AddJobEvent(id, "replication_starting", "full_sync", "40 GiB to copy").ok());
  auto events = store_->JobEvents(id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].job_id, id);
  EXPECT_EQ(events[0].from_state, "initialized");
  EXPECT_EQ(events[0].to_state, "replication_starting");
  EXPECT_EQ(events[0].message, "scan disks");
  EXPECT_GT(events[0].time, 0);
  EXPECT_EQ(events[1].to_state, "full_sync");
  EXPECT_LT(events[0].id, events[1].id);
}

TEST_P(JobLogTest, UnknownJobIsNotFound) {
  EXPECT_EQ(store_->UpdateJobProgress(99, 10).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->FinishJob(99, JobStatus::kSucceeded).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->AddJobEvent(99, "", "", "x").code(), StatusCode::kNotFound);
}

TEST_P(JobLogTest, BadArgumentsAreRefused) {
  int64_t id = *store_->StartJob("group.web", "create");
  EXPECT_EQ(store_->UpdateJobProgress(id, 101).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->FinishJob(id, JobStatus::kRunning).code(), StatusCode::kInvalidArgument);
}

TEST(JobStatusNameTest, NamesAllStatuses) {
  EXPECT_STREQ(JobStatusName(JobStatus::kPending), "pending");
  EXPECT_STREQ(JobStatusName(JobStatus::kRunning), "running");
  EXPECT_STREQ(JobStatusName(JobStatus::kSucceeded), "succeeded");
  EXPECT_STREQ(JobStatusName(JobStatus::kFailed), "failed");
}

INSTANTIATE_TEST_SUITE_P(Backends, JobLogTest, CDR_STATE_BACKENDS);

}  // namespace
}  // namespace cdr::state
