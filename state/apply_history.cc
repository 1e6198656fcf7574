// The history of applies: which plan was applied when, from which git commit, by whom. It is what `cdr history`
// shows and what the rollback guard compares a new git plan against.
#include "common/clock.h"
#include "state/internal/process_identity.h"
#include "state/internal/sql_connection.h"
#include "state/internal/sql_status.h"
#include "state/state_store.h"

namespace cdr::state {
namespace {

constexpr char kColumns[] =
    "id, applied_at, serial, git_commit, source, plan_digest, operator, changes, failed, rollback, finished_at";

AppliedRecord ReadRow(const internal::SqlRow& q) {
  AppliedRecord r;
  r.id = q.Int64(0);
  r.applied_at = q.Int64(1);
  r.serial = q.Int64(2);
  r.git_commit = q.Text(3);
  r.source = q.Text(4);
  r.plan_digest = q.Text(5);
  r.operator_name = q.Text(6);
  r.changes = q.Int(7);
  r.failed = q.Int(8);
  r.rollback = q.Int(9) != 0;
  r.finished_at = q.Int64(10);
  return r;
}

}  // namespace

std::string StateStore::OperatorName() { return internal::UserName() + "@" + internal::Hostname(); }

Result<int64_t> StateStore::RecordApply(const AppliedRecord& record) {
  return internal::CatchSql("record apply", [&]() -> Result<int64_t> {
    return db_
        ->Query("INSERT INTO applies (applied_at, serial, git_commit, source, plan_digest, operator, changes, "
                "failed, rollback, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                {record.applied_at ? record.applied_at : NowUnixMillis(), record.serial, record.git_commit,
                 record.source, record.plan_digest,
                 record.operator_name.empty() ? OperatorName() : record.operator_name, record.changes,
                 record.failed, record.rollback, record.finished_at})
        .rows.at(0)
        .Int64(0);
  });
}

Status StateStore::FinishApply(int64_t id, int failed) {
  return internal::CatchSql("finish apply " + std::to_string(id), [&] {
    auto r = db_->Query("UPDATE applies SET failed = ?, finished_at = ? WHERE id = ?", {failed, NowUnixMillis(), id});
    return r.affected == 0 ? NotFound("no apply with id " + std::to_string(id)) : Status::Ok();
  });
}

std::vector<AppliedRecord> StateStore::History(int limit) {
  return internal::CatchSqlOr("read apply history", std::vector<AppliedRecord>{}, [&] {
    std::vector<AppliedRecord> out;
    for (const auto& row :
         db_->Query(std::string("SELECT ") + kColumns + " FROM applies ORDER BY id DESC LIMIT ?", {limit}).rows) {
      out.push_back(ReadRow(row));
    }
    return out;
  });
}

std::optional<AppliedRecord> StateStore::LastAppliedCommit() {
  return internal::CatchSqlOr("read last applied commit", std::optional<AppliedRecord>{}, [&] {
    auto r = db_->Query(std::string("SELECT ") + kColumns +
                        " FROM applies WHERE git_commit != '' ORDER BY id DESC LIMIT 1");
    std::optional<AppliedRecord> out;
    if (!r.rows.empty()) out = ReadRow(r.rows[0]);
    return out;
  });
}

}  // namespace cdr::state
