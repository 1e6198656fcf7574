// The history of applies: which plan was applied when, from which git commit, by whom. It is what `cdr history`
// shows and what the rollback guard compares a new git plan against.
#include <SQLiteCpp/SQLiteCpp.h>

#include "common/clock.h"
#include "state/internal/process_identity.h"
#include "state/internal/sqlite_status.h"
#include "state/state_store.h"

namespace cdr::state {
namespace {

constexpr char kColumns[] =
    "id, applied_at, serial, git_commit, source, plan_digest, operator, changes, failed, rollback, finished_at";

AppliedRecord ReadRow(SQLite::Statement& q) {
  AppliedRecord r;
  r.id = q.getColumn(0).getInt64();
  r.applied_at = q.getColumn(1).getInt64();
  r.serial = q.getColumn(2).getInt64();
  r.git_commit = q.getColumn(3).getString();
  r.source = q.getColumn(4).getString();
  r.plan_digest = q.getColumn(5).getString();
  r.operator_name = q.getColumn(6).getString();
  r.changes = q.getColumn(7).getInt();
  r.failed = q.getColumn(8).getInt();
  r.rollback = q.getColumn(9).getInt() != 0;
  r.finished_at = q.getColumn(10).getInt64();
  return r;
}

}  // namespace

std::string StateStore::OperatorName() { return internal::UserName() + "@" + internal::Hostname(); }

Result<int64_t> StateStore::RecordApply(const AppliedRecord& record) {
  int64_t id = 0;
  Status s = internal::CatchSqlite("record apply", [&] {
    SQLite::Statement q(*db_,
                        "INSERT INTO applies (applied_at, serial, git_commit, source, plan_digest, operator, "
                        "changes, failed, rollback, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, record.applied_at ? record.applied_at : NowUnixMillis());
    q.bind(2, record.serial);
    q.bind(3, record.git_commit);
    q.bind(4, record.source);
    q.bind(5, record.plan_digest);
    q.bind(6, record.operator_name.empty() ? OperatorName() : record.operator_name);
    q.bind(7, record.changes);
    q.bind(8, record.failed);
    q.bind(9, record.rollback ? 1 : 0);
    q.bind(10, record.finished_at);
    q.exec();
    id = db_->getLastInsertRowid();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return id;
}

Status StateStore::FinishApply(int64_t id, int failed) {
  return internal::CatchSqlite("finish apply " + std::to_string(id), [&] {
    SQLite::Statement q(*db_, "UPDATE applies SET failed = ?, finished_at = ? WHERE id = ?");
    q.bind(1, failed);
    q.bind(2, NowUnixMillis());
    q.bind(3, id);
    return q.exec() == 0 ? NotFound("no apply with id " + std::to_string(id)) : Status::Ok();
  });
}

std::vector<AppliedRecord> StateStore::History(int limit) {
  return internal::CatchSqliteOr("read apply history", std::vector<AppliedRecord>{}, [&] {
    SQLite::Statement q(*db_, std::string("SELECT ") + kColumns + " FROM applies ORDER BY id DESC LIMIT ?");
    q.bind(1, limit);
    std::vector<AppliedRecord> out;
    while (q.executeStep()) out.push_back(ReadRow(q));
    return out;
  });
}

std::optional<AppliedRecord> StateStore::LastAppliedCommit() {
  return internal::CatchSqliteOr("read last applied commit", std::optional<AppliedRecord>{}, [&] {
    SQLite::Statement q(*db_, std::string("SELECT ") + kColumns +
                                  " FROM applies WHERE git_commit != '' ORDER BY id DESC LIMIT 1");
    std::optional<AppliedRecord> out;
    if (q.executeStep()) out = ReadRow(q);
    return out;
  });
}

}  // namespace cdr::state
