// The state lock: one row saying which cdr process may change the state. Taking it is one IMMEDIATE
// transaction (check and insert cannot interleave with another process). A holder is only presumed gone
// when that can be known (same host, process gone) or guessed safely (another host, lease expired).
#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/random_hex.h"
#include "state/internal/process_identity.h"
#include "state/internal/sqlite_status.h"
#include "state/state_store.h"

namespace cdr::state {
namespace {

using internal::CatchSqlite;
using internal::CatchSqliteOr;

constexpr int kLockIdBytes = 8;  // 16 hex characters: short enough to type into force-unlock

std::optional<LockInfo> ReadLock(SQLite::Database& db) {
  SQLite::Statement q(
      db, "SELECT id, owner, operation, pid, pid_start_time, host, acquired_at, expires_at FROM lock");
  if (!q.executeStep()) return std::nullopt;
  LockInfo l;
  l.id = q.getColumn(0).getString();
  l.owner = q.getColumn(1).getString();
  l.operation = q.getColumn(2).getString();
  l.pid = q.getColumn(3).getInt64();
  l.pid_start_time = q.getColumn(4).getInt64();
  l.host = q.getColumn(5).getString();
  l.acquired_at = q.getColumn(6).getInt64();
  l.expires_at = q.getColumn(7).getInt64();
  return l;
}

void WriteLock(SQLite::Database& db, const LockInfo& l) {
  db.exec("DELETE FROM lock");
  SQLite::Statement q(
      db,
      "INSERT INTO lock (id, owner, operation, pid, pid_start_time, host, acquired_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, l.id);
  q.bind(2, l.owner);
  q.bind(3, l.operation);
  q.bind(4, l.pid);
  q.bind(5, l.pid_start_time);
  q.bind(6, l.host);
  q.bind(7, l.acquired_at);
  q.bind(8, l.expires_at);
  q.exec();
}

std::string Describe(const LockInfo& l) {
  return l.owner + " (" + l.operation + ", pid " + std::to_string(l.pid) + " on " + l.host + ")";
}

// Why `holder` may be taken over, or nullopt when it must be respected.
std::optional<std::string> TakeoverReason(const LockInfo& holder, const std::string& our_host, int64_t now) {
  bool same_host = holder.host == our_host;
  if (same_host && !internal::ProcessAlive(holder.pid, holder.pid_start_time)) {
    return "its process is gone";
  }
  // A live process on this host keeps an expired lock: it may only be slow, and two applies at once are
  // worse than waiting for an operator's force-unlock.
  if (!same_host && holder.expires_at < now) {
    return "it expired at " + FormatRfc3339(holder.expires_at) + " and its host cannot be checked from here";
  }
  return std::nullopt;
}

Status HeldBy(const LockInfo& l) {
  return Aborted("state is locked by " + Describe(l) + " since " + FormatRfc3339(l.acquired_at) +
                 ", lock id " + l.id + "; if that process is gone, run: cdr force-unlock " + l.id);
}

}  // namespace

std::string StateStore::TakeoverReasonFor(const LockInfo& lock) {
  return TakeoverReason(lock, internal::Hostname(), NowUnixMillis()).value_or("");
}

Result<LockInfo> StateStore::AcquireLock(const LockRequest& request) {
  return CatchSqlite("acquire state lock", [&]() -> Result<LockInfo> {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    int64_t now = NowUnixMillis();
    std::string host = internal::Hostname();
    if (std::optional<LockInfo> holder = ReadLock(*db_)) {
      std::optional<std::string> reason = TakeoverReason(*holder, host, now);
      if (!reason) return HeldBy(*holder);
      spdlog::warn("state: taking over lock {} held by {} since {}: {}", holder->id, Describe(*holder),
                   FormatRfc3339(holder->acquired_at), *reason);
    }
    LockInfo ours;
    ours.id = RandomHex(kLockIdBytes);
    ours.owner = OperatorName();
    ours.operation = request.operation;
    ours.pid = internal::CurrentPid();
    ours.pid_start_time = internal::ProcessStartTime(ours.pid).value_or(0);
    ours.host = host;
    ours.acquired_at = now;
    ours.expires_at = now + request.ttl_millis;
    WriteLock(*db_, ours);
    tx.commit();
    return ours;
  });
}

Status StateStore::CheckUnlocked() {
  return CatchSqlite("read state lock", [&] {
    std::optional<LockInfo> holder = ReadLock(*db_);
    if (holder && !TakeoverReason(*holder, internal::Hostname(), NowUnixMillis())) return HeldBy(*holder);
    return Status::Ok();
  });
}

Status StateStore::RenewLock(const std::string& lock_id, int64_t ttl_millis) {
  return CatchSqlite("renew state lock " + lock_id, [&] {
    SQLite::Statement q(*db_, "UPDATE lock SET expires_at = ? WHERE id = ?");
    q.bind(1, NowUnixMillis() + ttl_millis);
    q.bind(2, lock_id);
    // The caller must stop changing things: someone took the lock over or force-unlocked it.
    if (q.exec() == 0) return Aborted("state lock " + lock_id + " is no longer held by this process");
    return Status::Ok();
  });
}

Status StateStore::ReleaseLock(const std::string& lock_id) {
  // Matching the id means a lock taken over from us is left alone: it now belongs to someone else.
  return CatchSqlite("release state lock " + lock_id, [&] {
    SQLite::Statement q(*db_, "DELETE FROM lock WHERE id = ?");
    q.bind(1, lock_id);
    q.exec();
    return Status::Ok();
  });
}

Status StateStore::ForceUnlock(const std::string& lock_id) {
  return CatchSqlite("force-unlock " + lock_id, [&] {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    std::optional<LockInfo> current = ReadLock(*db_);
    if (!current || current->id != lock_id) {
      return NotFound("no lock with id " + lock_id +
                      (current ? "; the current lock is " + current->id + ", held by " + Describe(*current)
                               : "; the state is not locked"));
    }
    db_->exec("DELETE FROM lock");
    tx.commit();
    spdlog::warn("state: force-unlocked lock {} held by {} since {}", current->id, Describe(*current),
                 FormatRfc3339(current->acquired_at));
    return Status::Ok();
  });
}

std::optional<LockInfo> StateStore::CurrentLock() {
  return CatchSqliteOr("read state lock", std::optional<LockInfo>{}, [&] { return ReadLock(*db_); });
}

}  // namespace cdr::state
