#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "state/internal/process_identity.h"
#include "state/state_store.h"
#include "tests/support/test_state.h"

namespace cdr::state {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// A pid that certainly names no process: a child that has exited and been reaped.
int64_t DeadPid() {
  pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

class StateLockTest : public ::testing::TestWithParam<StateBackend> {
 protected:
  void SetUp() override { store_ = OpenOrDie(); }

  std::unique_ptr<StateStore> OpenOrDie() {
    auto opened = StateStore::Open(dir_.StatePath());
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  // Rewrites the holder fields of the lock row the way another process would have written them.
  void RewriteHolder(int64_t pid, int64_t pid_start_time, const std::string& host, int64_t expires_at) {
    auto raw = internal::OpenSqlConnection(dir_.StatePath());
    ASSERT_TRUE(raw.ok()) << raw.status().ToString();
    auto r = (*raw)->Query("UPDATE lock SET pid = ?, pid_start_time = ?, host = ?, expires_at = ?",
                           {pid, pid_start_time, host, expires_at});
    ASSERT_EQ(r.affected, 1);
  }

  testing::TempDir dir_{GetParam()};
  std::unique_ptr<StateStore> store_;
};

TEST_P(StateLockTest, AcquireRecordsThisProcess) {
  auto lock = store_->AcquireLock({.operation = "apply", .ttl_millis = 60'000});
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_EQ(lock->id.size(), 16u);
  EXPECT_EQ(lock->operation, "apply");
  EXPECT_EQ(lock->pid, getpid());
  EXPECT_EQ(lock->host, internal::Hostname());
  EXPECT_THAT(lock->owner, HasSubstr("@" + internal::Hostname()));
  EXPECT_EQ(lock->pid_start_time, internal::ProcessStartTime(getpid()).value_or(0));
  EXPECT_EQ(lock->expires_at, lock->acquired_at + 60'000);

  auto current = store_->CurrentLock();
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->id, lock->id);
  EXPECT_EQ(current->pid_start_time, lock->pid_start_time);
}

TEST_P(StateLockTest, SecondAcquireIsRefusedNamingHolderAndLockId) {
  auto lock = store_->AcquireLock({.operation = "apply"});
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  auto other = OpenOrDie();
  auto second = other->AcquireLock({.operation = "plan"});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kAborted);
  EXPECT_THAT(second.status().message(),
              AllOf(HasSubstr("state is locked by " + lock->owner), HasSubstr("apply"),
                    HasSubstr("pid " + std::to_string(getpid())), HasSubstr("lock id " + lock->id),
                    HasSubstr("cdr force-unlock " + lock->id)));
  EXPECT_EQ(other->CurrentLock()->id, lock->id);
}

TEST_P(StateLockTest, ReleaseThenAcquireAgain) {
  auto lock = store_->AcquireLock({.operation = "apply"});
  ASSERT_TRUE(lock.ok());
  ASSERT_TRUE(store_->ReleaseLock(lock->id).ok());
  EXPECT_FALSE(store_->CurrentLock().has_value());
  EXPECT_TRUE(OpenOrDie()->AcquireLock({.operation = "apply"}).ok());
}

// What plan and drift ask: refused exactly when AcquireLock would be, and nothing is written either way.
TEST_P(StateLockTest, CheckUnlockedReadsTheLockWithoutTakingIt) {
  EXPECT_TRUE(store_->CheckUnlocked().ok());
  EXPECT_FALSE(store_->CurrentLock().has_value()) << "checking takes nothing";
  auto held = store_->AcquireLock({"apply"});
  ASSERT_TRUE(held.ok());
  Status refused = store_->CheckUnlocked();
  EXPECT_EQ(refused.code(), StatusCode::kAborted);
  EXPECT_THAT(refused.message(), AllOf(HasSubstr("state is locked by"), HasSubstr(held->id)));
  RewriteHolder(DeadPid(), 12345, internal::Hostname(), NowUnixMillis() + 600'000);
  EXPECT_TRUE(store_->CheckUnlocked().ok()) << "a holder the next apply would take over does not block a read";
  EXPECT_EQ(store_->CurrentLock()->id, held->id) << "and it is left for that apply to take over";
}

TEST_P(StateLockTest, DeadHolderOnThisHostIsTakenOver) {
  auto old = store_->AcquireLock({.operation = "apply"});
  ASSERT_TRUE(old.ok());
  RewriteHolder(DeadPid(), 12345, internal::Hostname(), NowUnixMillis() + 600'000);
  auto lock = OpenOrDie()->AcquireLock({.operation = "apply"});
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_NE(lock->id, old->id);
  EXPECT_EQ(store_->CurrentLock()->id, lock->id);
}

TEST_P(StateLockTest, ReusedPidIsNotMistakenForTheHolder) {
  ASSERT_TRUE(store_->AcquireLock({.operation = "apply"}).ok());
  int64_t our_start = internal::ProcessStartTime(getpid()).value_or(0);
  RewriteHolder(getpid(), our_start + 1, internal::Hostname(), NowUnixMillis() + 600'000);
  EXPECT_TRUE(OpenOrDie()->AcquireLock({.operation = "apply"}).ok());
}

TEST_P(StateLockTest, ExpiredHolderOnAnotherHostIsTakenOver) {
  ASSERT_TRUE(store_->AcquireLock({.operation = "apply"}).ok());
  RewriteHolder(4242, 1, "ci-7-elsewhere", NowUnixMillis() - 1'000);
  EXPECT_TRUE(OpenOrDie()->AcquireLock({.operation = "apply"}).ok());
}

TEST_P(StateLockTest, UnexpiredHolderOnAnotherHostIsKept) {
  ASSERT_TRUE(store_->AcquireLock({.operation = "apply"}).ok());
  RewriteHolder(4242, 1, "ci-7-elsewhere", NowUnixMillis() + 600'000);
  auto refused = OpenOrDie()->AcquireLock({.operation = "apply"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kAborted);
  EXPECT_THAT(refused.status().message(), HasSubstr("pid 4242 on ci-7-elsewhere"));
}

TEST_P(StateLockTest, LiveHolderOnThisHostKeepsAnExpiredLock) {
  ASSERT_TRUE(store_->AcquireLock({.operation = "apply"}).ok());
  RewriteHolder(getpid(), internal::ProcessStartTime(getpid()).value_or(0), internal::Hostname(),
                NowUnixMillis() - 1'000);
  EXPECT_EQ(OpenOrDie()->AcquireLock({.operation = "apply"}).status().code(), StatusCode::kAborted);
}

TEST_P(StateLockTest, ReleaseOfATakenOverLockLeavesTheNewHolder) {
  auto old = store_->AcquireLock({.operation = "apply"});
  ASSERT_TRUE(old.ok());
  RewriteHolder(DeadPid(), 1, internal::Hostname(), NowUnixMillis() + 600'000);
  auto other = OpenOrDie();
  auto lock = other->AcquireLock({.operation = "apply"});
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_TRUE(store_->ReleaseLock(old->id).ok());
  EXPECT_EQ(store_->CurrentLock()->id, lock->id);
  EXPECT_EQ(store_->RenewLock(old->id, 60'000).code(), StatusCode::kAborted);
}

TEST_P(StateLockTest, RenewExtendsExpiry) {
  auto lock = store_->AcquireLock({.operation = "apply", .ttl_millis = 1'000});
  ASSERT_TRUE(lock.ok());
  ASSERT_TRUE(store_->RenewLock(lock->id, 600'000).ok());
  EXPECT_GE(store_->CurrentLock()->expires_at, lock->expires_at + 599'000);
}

TEST_P(StateLockTest, ForceUnlockNeedsTheRightId) {
  auto lock = store_->AcquireLock({.operation = "apply"});
  ASSERT_TRUE(lock.ok());
  Status wrong = store_->ForceUnlock("0000000000000000");
  EXPECT_EQ(wrong.code(), StatusCode::kNotFound);
  EXPECT_THAT(wrong.message(), AllOf(HasSubstr("no lock with id 0000000000000000"), HasSubstr(lock->id)));
  EXPECT_TRUE(store_->CurrentLock().has_value());

  ASSERT_TRUE(OpenOrDie()->ForceUnlock(lock->id).ok());
  EXPECT_FALSE(store_->CurrentLock().has_value());
  EXPECT_EQ(store_->ForceUnlock(lock->id).code(), StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, StateLockTest, CDR_STATE_BACKENDS);

}  // namespace
}  // namespace cdr::state
