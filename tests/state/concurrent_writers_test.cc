// One StateStore shared by the threads of a parallel apply: single statements, jobs and transactions (Move)
// from several threads at once all land, and none sees another's open transaction.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "state/state_store.h"
#include "tests/support/test_state.h"

namespace cdr::state {
namespace {

class ConcurrentWritersTest : public testing::OpenedStoreTest {};

TEST_P(ConcurrentWritersTest, StepsOfSeveralThreadsAllLand) {
  constexpr int kThreads = 4;
  constexpr int kSteps = 15;
  std::atomic<int> failures{0};
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kSteps; ++i) {
        const std::string address = "group.g" + std::to_string(t) + ".server.s" + std::to_string(i);
        auto job = store_->StartJob(address, "register");
        ResourceRecord r;
        r.address = address;
        r.kind = ResourceKind::kServer;
        r.status = "agent_installing";
        Status s = job.status();
        if (s.ok()) s = store_->Put(r);
        if (s.ok()) s = store_->AddJobEvent(*job, "", "agent_installing", "installing");
        // A transaction of its own (Move), between the other threads' single statements.
        if (s.ok()) s = store_->Move(address, address + "-moved");
        if (s.ok()) s = store_->FinishJob(*job, JobStatus::kSucceeded);
        if (!s.ok()) {
          ++failures;
          errors[t] = s.ToString();
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0) << ::testing::PrintToString(errors);
  const auto resources = store_->Resources();
  ASSERT_EQ(resources.size(), static_cast<size_t>(kThreads * kSteps));
  for (const auto& r : resources) EXPECT_THAT(r.address, ::testing::EndsWith("-moved"));
  const auto jobs = store_->Jobs(1000);
  ASSERT_EQ(jobs.size(), static_cast<size_t>(kThreads * kSteps));
  for (const auto& j : jobs) {
    EXPECT_EQ(j.status, JobStatus::kSucceeded) << j.address;
    EXPECT_EQ(store_->JobEvents(j.id).size(), 1u) << j.address;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ConcurrentWritersTest, CDR_STATE_BACKENDS);

}  // namespace
}  // namespace cdr::state
