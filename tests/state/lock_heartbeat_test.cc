#include "state/lock_heartbeat.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "common/clock.h"
#include "state/state_store.h"
#include "tests/support/test_state.h"

namespace cdr::state {
namespace {

// Polls until `condition` holds or 10 s pass.
template <typename Fn>
bool Eventually(Fn condition) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

class LockHeartbeatTest : public ::testing::TestWithParam<StateBackend> {};

TEST_P(LockHeartbeatTest, KeepsAShortLockAliveAndStopsWhenDestroyed) {
  testing::TempDir dir(GetParam());
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_TRUE(store.ok());
  auto lock = (*store)->AcquireLock({"apply", 300});
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  {
    LockHeartbeat heartbeat(dir.StatePath(), lock->id, 300);
    // Well past the TTL the lock is still valid: the heartbeat pushed it forward.
    const int64_t past_ttl = NowUnixMillis() + 900;
    EXPECT_TRUE(Eventually([&] { return NowUnixMillis() > past_ttl; }));
    auto current = (*store)->CurrentLock();
    ASSERT_TRUE(current.has_value());
    EXPECT_GT(current->expires_at, NowUnixMillis());
  }
  const int64_t stopped_at = NowUnixMillis();
  // Without the heartbeat the lock lapses after one TTL.
  EXPECT_TRUE(Eventually([&] {
    auto current = (*store)->CurrentLock();
    return current && current->expires_at < NowUnixMillis();
  }));
  EXPECT_LT((*store)->CurrentLock()->expires_at, stopped_at + 400);
}

TEST_P(LockHeartbeatTest, EndsWhenTheLockIsForceUnlocked) {
  testing::TempDir dir(GetParam());
  auto store = StateStore::Open(dir.StatePath());
  ASSERT_TRUE(store.ok());
  auto lock = (*store)->AcquireLock({"apply", 300});
  ASSERT_TRUE(lock.ok());
  LockHeartbeat heartbeat(dir.StatePath(), lock->id, 300);
  ASSERT_TRUE((*store)->ForceUnlock(lock->id).ok());
  auto next = (*store)->AcquireLock({"plan", 60000});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  // The old heartbeat must not extend someone else's lock.
  const int64_t expires = next->expires_at;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ((*store)->CurrentLock()->expires_at, expires);
}

INSTANTIATE_TEST_SUITE_P(Backends, LockHeartbeatTest, CDR_STATE_BACKENDS);

}  // namespace
}  // namespace cdr::state
