#include "agent/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

namespace cdr::agent {
namespace {

using namespace std::chrono_literals;

// Sixteen flushes at once: each returns only after a sync that started after it asked, and they share syncs.
TEST(GroupCommitTest, ConcurrentCallersShareSyncsThatStartedAfterThem) {
  GroupCommit group;
  std::atomic<uint64_t> writes{0};
  std::atomic<uint64_t> durable{0};  // writes covered by the last completed sync
  constexpr int kCallers = 16;
  std::latch start(kCallers);
  std::vector<std::thread> threads;
  std::atomic<int> uncovered{0};
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      const uint64_t mine = ++writes;  // "my write completed", then FLUSH
      Status s = group.Run([&] {
        const uint64_t seen = writes.load();
        std::this_thread::sleep_for(30ms);  // fdatasync
        durable = seen;
        return Status::Ok();
      });
      EXPECT_TRUE(s.ok());
      if (durable.load() < mine) ++uncovered;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(uncovered.load(), 0);
  EXPECT_LT(group.runs(), static_cast<uint64_t>(kCallers) / 2) << "syncs were not shared";
}

TEST(GroupCommitTest, AFailedSyncFailsEveryCallerItCovered) {
  GroupCommit group;
  std::latch started(1);
  std::atomic<bool> release{false};
  std::thread first([&] {
    Status s = group.Run([&] {
      started.count_down();
      while (!release) std::this_thread::sleep_for(1ms);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok());
  });
  started.wait();
  // Both ask while the first sync runs: the next sync covers both, and it fails.
  std::vector<Status> results(2);
  std::vector<std::thread> waiters;
  std::atomic<int> syncs_after{0};
  for (int i = 0; i < 2; ++i) {
    waiters.emplace_back([&, i] {
      results[i] = group.Run([&] {
        ++syncs_after;
        return Internal("fdatasync: Input/output error");
      });
    });
  }
  std::this_thread::sleep_for(50ms);  // let both queue behind the running sync (not needed for correctness)
  release = true;
  first.join();
  for (auto& t : waiters) t.join();
  for (const Status& s : results) EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_GE(syncs_after.load(), 1);
}

}  // namespace
}  // namespace cdr::agent
