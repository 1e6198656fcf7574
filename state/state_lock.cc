// The state lock: one row saying which cdr process may change the state (the lease), and on PostgreSQL a
// session advisory lock beside it that the server releases when the holder's connection dies. Taking it is one
// write transaction (check and insert cannot interleave with another process). A holder is only presumed gone
// when that can be known (same host, process gone; its database session gone) or guessed safely (another
// host, lease expired: its session, if any, is ended first so it cannot write after us).
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/random_hex.h"
#include "state/internal/process_identity.h"
#include "state/internal/sql_connection.h"
#include "state/internal/sql_status.h"
#include "state/state_store.h"

namespace cdr::state {
namespace {

using internal::CatchSql;
using internal::CatchSqlOr;
using internal::SessionLock;
using internal::SqlConnection;
using internal::SqlTransaction;
using internal::TransactionMode;

constexpr int kLockIdBytes = 8;  // 16 hex characters: short enough to type into force-unlock

std::optional<LockInfo> ReadLock(SqlConnection& db) {
  auto r = db.Query("SELECT id, owner, operation, pid, pid_start_time, host, acquired_at, expires_at FROM lock");
  if (r.rows.empty()) return std::nullopt;
  const internal::SqlRow& q = r.rows[0];
  return LockInfo{q.Text(0), q.Text(1), q.Text(2), q.Int64(3), q.Int64(4), q.Text(5), q.Int64(6), q.Int64(7)};
}

void WriteLock(SqlConnection& db, const LockInfo& l) {
  db.Query("DELETE FROM lock");
  db.Query(
      "INSERT INTO lock (id, owner, operation, pid, pid_start_time, host, acquired_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {l.id, l.owner, l.operation, l.pid, l.pid_start_time, l.host, l.acquired_at, l.expires_at});
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

// The session lock's word on `holder` (PostgreSQL only). `session` is what TrySessionLock said: taken means
// no live session holds the state, whatever the row claims.
Result<std::optional<std::string>> SessionTakeover(SqlConnection& db, SessionLock session,
                                                   const std::optional<LockInfo>& holder,
                                                   const std::optional<std::string>& row_reason) {
  if (session == SessionLock::kUnsupported || session == SessionLock::kAlreadyOurs) return row_reason;
  if (!holder) {
    if (session == SessionLock::kTaken) return std::optional<std::string>();
    // A session holds it without a row: another cdr is between taking and writing, or releasing.
    return Aborted("state lock is being taken or released by another cdr session; retry");
  }
  if (session == SessionLock::kTaken) return std::optional<std::string>("its database session is gone");
  if (!row_reason) return row_reason;
  // The lease says the holder is gone but its session lives (hung, or on a host we cannot check): end it, so
  // it cannot write after we start.
  if (!db.EndSessionLockHolder() || db.TrySessionLock() != SessionLock::kTaken) {
    return Aborted("state lock of " + Describe(*holder) + " " + *row_reason +
                   ", but its database session could not be ended (does this role have pg_signal_backend?); "
                   "if that process is gone, run: cdr force-unlock " + holder->id);
  }
  return row_reason;
}

}  // namespace

std::string StateStore::TakeoverReasonFor(const LockInfo& lock) {
  return TakeoverReason(lock, internal::Hostname(), NowUnixMillis()).value_or("");
}

Result<LockInfo> StateStore::AcquireLock(const LockRequest& request) {
  return CatchSql("acquire state lock", [&]() -> Result<LockInfo> {
    SqlTransaction tx(*db_, TransactionMode::kWrite);
    int64_t now = NowUnixMillis();
    std::string host = internal::Hostname();
    // Session-level: it outlives this transaction, and a refusal below gives it back.
    const SessionLock session = db_->TrySessionLock();
    std::optional<LockInfo> holder = ReadLock(*db_);
    std::optional<std::string> row_reason;
    if (holder) row_reason = TakeoverReason(*holder, host, now);
    auto reason = SessionTakeover(*db_, session, holder, row_reason);
    if (!reason.ok() || (holder && !*reason)) {
      if (session == SessionLock::kTaken) db_->ReleaseSessionLock();
      return reason.ok() ? HeldBy(*holder) : reason.status();
    }
    if (holder) {
      spdlog::warn("state: taking over lock {} held by {} since {}: {}", holder->id, Describe(*holder),
                   FormatRfc3339(holder->acquired_at), **reason);
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
    tx.Commit();
    return ours;
  });
}

Status StateStore::CheckUnlocked() {
  return CatchSql("read state lock", [&]() -> Status {
    std::optional<LockInfo> holder = ReadLock(*db_);
    // Only probed: a read takes nothing and ends no session.
    const SessionLock session = db_->TrySessionLock();
    if (session == SessionLock::kTaken) {
      db_->ReleaseSessionLock();
      return Status::Ok();  // no live session holds the state, whatever the row says
    }
    if (!holder) {
      if (session == SessionLock::kUnsupported || session == SessionLock::kAlreadyOurs) return Status::Ok();
      return Aborted("state lock is being taken or released by another cdr session; retry");
    }
    if (!TakeoverReason(*holder, internal::Hostname(), NowUnixMillis())) return HeldBy(*holder);
    return Status::Ok();
  });
}

Status StateStore::RenewLock(const std::string& lock_id, int64_t ttl_millis) {
  return CatchSql("renew state lock " + lock_id, [&] {
    auto r = db_->Query("UPDATE lock SET expires_at = ? WHERE id = ?", {NowUnixMillis() + ttl_millis, lock_id});
    // The caller must stop changing things: someone took the lock over or force-unlocked it.
    if (r.affected == 0) return Aborted("state lock " + lock_id + " is no longer held by this process");
    return Status::Ok();
  });
}

Status StateStore::ReleaseLock(const std::string& lock_id) {
  // Matching the id means a lock taken over from us is left alone: it now belongs to someone else.
  return CatchSql("release state lock " + lock_id, [&] {
    db_->Query("DELETE FROM lock WHERE id = ?", {lock_id});
    db_->ReleaseSessionLock();
    return Status::Ok();
  });
}

Status StateStore::ForceUnlock(const std::string& lock_id) {
  return CatchSql("force-unlock " + lock_id, [&] {
    SqlTransaction tx(*db_, TransactionMode::kWrite);
    std::optional<LockInfo> current = ReadLock(*db_);
    if (!current || current->id != lock_id) {
      return NotFound("no lock with id " + lock_id +
                      (current ? "; the current lock is " + current->id + ", held by " + Describe(*current)
                               : "; the state is not locked"));
    }
    // A session still holding the state (a hung holder) would refuse every later taker without a row.
    if (db_->TrySessionLock() == SessionLock::kHeldElsewhere) db_->EndSessionLockHolder();
    db_->ReleaseSessionLock();
    db_->Query("DELETE FROM lock");
    tx.Commit();
    spdlog::warn("state: force-unlocked lock {} held by {} since {}", current->id, Describe(*current),
                 FormatRfc3339(current->acquired_at));
    return Status::Ok();
  });
}

std::optional<LockInfo> StateStore::CurrentLock() {
  return CatchSqlOr("read state lock", std::optional<LockInfo>{}, [&] { return ReadLock(*db_); });
}

}  // namespace cdr::state
