// The job log: one row per long operation on a resource, with its progress and the state transitions it went
// through. It is what `cdr jobs` shows and what a resumed apply reads to find unfinished work.
#include <SQLiteCpp/SQLiteCpp.h>

#include "common/clock.h"
#include "state/internal/sqlite_status.h"
#include "state/state_store.h"

namespace cdr::state {
namespace {

using internal::CatchSqlite;
using internal::CatchSqliteOr;

JobStatus ParseJobStatus(const std::string& name) {
  for (JobStatus s : {JobStatus::kPending, JobStatus::kRunning, JobStatus::kSucceeded, JobStatus::kFailed}) {
    if (name == JobStatusName(s)) return s;
  }
  // Only a future schema could write another name, and Open refuses those; failed is the safe reading.
  return JobStatus::kFailed;
}

Job ReadJob(SQLite::Statement& q) {
  Job j;
  j.id = q.getColumn(0).getInt64();
  j.address = q.getColumn(1).getString();
  j.operation = q.getColumn(2).getString();
  j.status = ParseJobStatus(q.getColumn(3).getString());
  j.progress = q.getColumn(4).getInt();
  j.started_at = q.getColumn(5).getInt64();
  j.finished_at = q.getColumn(6).getInt64();
  j.error = q.getColumn(7).getString();
  return j;
}

Status NoSuchJob(int64_t job_id) { return NotFound("no job with id " + std::to_string(job_id)); }

}  // namespace

const char* JobStatusName(JobStatus s) {
  switch (s) {
    case JobStatus::kPending:
      return "pending";
    case JobStatus::kRunning:
      return "running";
    case JobStatus::kSucceeded:
      return "succeeded";
    case JobStatus::kFailed:
      return "failed";
  }
  return "unknown";
}

Result<int64_t> StateStore::StartJob(const std::string& address, const std::string& operation) {
  return CatchSqlite("start job " + operation + " " + address, [&]() -> Result<int64_t> {
    SQLite::Statement q(
        *db_, "INSERT INTO jobs (address, operation, status, progress, started_at) VALUES (?, ?, ?, 0, ?)");
    q.bind(1, address);
    q.bind(2, operation);
    q.bind(3, JobStatusName(JobStatus::kRunning));
    q.bind(4, NowUnixMillis());
    q.exec();
    return db_->getLastInsertRowid();
  });
}

Status StateStore::UpdateJobProgress(int64_t job_id, int progress) {
  if (progress < 0 || progress > 100) {
    return InvalidArgument("job progress must be 0..100, got " + std::to_string(progress));
  }
  return CatchSqlite("update job " + std::to_string(job_id), [&] {
    SQLite::Statement q(*db_, "UPDATE jobs SET progress = ? WHERE id = ?");
    q.bind(1, progress);
    q.bind(2, job_id);
    return q.exec() == 0 ? NoSuchJob(job_id) : Status::Ok();
  });
}

Status StateStore::FinishJob(int64_t job_id, JobStatus status, const std::string& error) {
  if (status != JobStatus::kSucceeded && status != JobStatus::kFailed) {
    return InvalidArgument(std::string("a job finishes as succeeded or failed, not ") +
                           JobStatusName(status));
  }
  return CatchSqlite("finish job " + std::to_string(job_id), [&] {
    // A failed job keeps the progress it reached: it tells the operator how far it got.
    SQLite::Statement q(*db_,
                        "UPDATE jobs SET status = ?1, finished_at = ?2, error = ?3, "
                        "progress = CASE WHEN ?1 = 'succeeded' THEN 100 ELSE progress END WHERE id = ?4");
    q.bind(1, JobStatusName(status));
    q.bind(2, NowUnixMillis());
    q.bind(3, error);
    q.bind(4, job_id);
    return q.exec() == 0 ? NoSuchJob(job_id) : Status::Ok();
  });
}

Result<int> StateStore::AbandonRunningJobs(const std::string& reason) {
  int marked = 0;
  Status s = CatchSqlite("abandon running jobs", [&] {
    SQLite::Statement q(*db_, "UPDATE jobs SET status = 'failed', finished_at = ?1, error = ?2 WHERE status = 'running'");
    q.bind(1, NowUnixMillis());
    q.bind(2, reason);
    marked = q.exec();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return marked;
}

Status StateStore::AddJobEvent(int64_t job_id, const std::string& from_state, const std::string& to_state,
                               const std::string& message) {
  return CatchSqlite("add event to job " + std::to_string(job_id), [&] {
    SQLite::Statement exists(*db_, "SELECT count(*) FROM jobs WHERE id = ?");
    exists.bind(1, job_id);
    exists.executeStep();
    if (exists.getColumn(0).getInt64() == 0) return NoSuchJob(job_id);
    SQLite::Statement q(
        *db_, "INSERT INTO job_events (job_id, time, from_state, to_state, message) VALUES (?, ?, ?, ?, ?)");
    q.bind(1, job_id);
    q.bind(2, NowUnixMillis());
    q.bind(3, from_state);
    q.bind(4, to_state);
    q.bind(5, message);
    q.exec();
    return Status::Ok();
  });
}

std::vector<Job> StateStore::Jobs(int limit) {
  return CatchSqliteOr("list jobs", std::vector<Job>{}, [&] {
    SQLite::Statement q(*db_,
                        "SELECT id, address, operation, status, progress, started_at, finished_at, error "
                        "FROM jobs ORDER BY id DESC LIMIT ?");
    q.bind(1, limit);
    std::vector<Job> out;
    while (q.executeStep()) out.push_back(ReadJob(q));
    return out;
  });
}

std::vector<JobEvent> StateStore::JobEvents(int64_t job_id) {
  return CatchSqliteOr("list events of job " + std::to_string(job_id), std::vector<JobEvent>{}, [&] {
    SQLite::Statement q(*db_,
                        "SELECT id, job_id, time, from_state, to_state, message FROM job_events "
                        "WHERE job_id = ? ORDER BY id");
    q.bind(1, job_id);
    std::vector<JobEvent> out;
    while (q.executeStep()) {
      JobEvent e;
      e.id = q.getColumn(0).getInt64();
      e.job_id = q.getColumn(1).getInt64();
      e.time = q.getColumn(2).getInt64();
      e.from_state = q.getColumn(3).getString();
      e.to_state = q.getColumn(4).getString();
      e.message = q.getColumn(5).getString();
      out.push_back(std::move(e));
    }
    return out;
  });
}

}  // namespace cdr::state
