// The job log: one row per long operation on a resource, with its progress and the state transitions it went
// through. It is what `cdr jobs` shows and what a resumed apply reads to find unfinished work.
#include "common/clock.h"
#include "state/internal/sql_connection.h"
#include "state/internal/sql_status.h"
#include "state/state_store.h"

namespace cdr::state {
namespace {

using internal::CatchSql;
using internal::CatchSqlOr;
using internal::SqlRow;

JobStatus ParseJobStatus(const std::string& name) {
  for (JobStatus s : {JobStatus::kPending, JobStatus::kRunning, JobStatus::kSucceeded, JobStatus::kFailed}) {
    if (name == JobStatusName(s)) return s;
  }
  // Only a future schema could write another name, and Open refuses those; failed is the safe reading.
  return JobStatus::kFailed;
}

Job ReadJob(const SqlRow& q) {
  Job j;
  j.id = q.Int64(0);
  j.address = q.Text(1);
  j.operation = q.Text(2);
  j.status = ParseJobStatus(q.Text(3));
  j.progress = q.Int(4);
  j.started_at = q.Int64(5);
  j.finished_at = q.Int64(6);
  j.error = q.Text(7);
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
  return CatchSql("start job " + operation + " " + address, [&]() -> Result<int64_t> {
    return db_
        ->Query("INSERT INTO jobs (address, operation, status, progress, started_at) VALUES (?, ?, ?, 0, ?) "
                "RETURNING id",
                {address, operation, JobStatusName(JobStatus::kRunning), NowUnixMillis()})
        .rows.at(0)
        .Int64(0);
  });
}

Status StateStore::UpdateJobProgress(int64_t job_id, int progress) {
  if (progress < 0 || progress > 100) {
    return InvalidArgument("job progress must be 0..100, got " + std::to_string(progress));
  }
  return CatchSql("update job " + std::to_string(job_id), [&] {
    auto r = db_->Query("UPDATE jobs SET progress = ? WHERE id = ?", {progress, job_id});
    return r.affected == 0 ? NoSuchJob(job_id) : Status::Ok();
  });
}

Status StateStore::FinishJob(int64_t job_id, JobStatus status, const std::string& error) {
  if (status != JobStatus::kSucceeded && status != JobStatus::kFailed) {
    return InvalidArgument(std::string("a job finishes as succeeded or failed, not ") +
                           JobStatusName(status));
  }
  return CatchSql("finish job " + std::to_string(job_id), [&] {
    // A failed job keeps the progress it reached: it tells the operator how far it got.
    auto r = db_->Query(
        "UPDATE jobs SET status = ?1, finished_at = ?2, error = ?3, "
        "progress = CASE WHEN ?1 = 'succeeded' THEN 100 ELSE progress END WHERE id = ?4",
        {JobStatusName(status), NowUnixMillis(), error, job_id});
    return r.affected == 0 ? NoSuchJob(job_id) : Status::Ok();
  });
}

Result<int> StateStore::AbandonRunningJobs(const std::string& reason) {
  return CatchSql("abandon running jobs", [&]() -> Result<int> {
    auto r = db_->Query("UPDATE jobs SET status = 'failed', finished_at = ?1, error = ?2 WHERE status = 'running'",
                        {NowUnixMillis(), reason});
    return static_cast<int>(r.affected);
  });
}

Status StateStore::AddJobEvent(int64_t job_id, const std::string& from_state, const std::string& to_state,
                               const std::string& message) {
  return CatchSql("add event to job " + std::to_string(job_id), [&] {
    if (db_->Query("SELECT count(*) FROM jobs WHERE id = ?", {job_id}).rows.at(0).Int64(0) == 0) {
      return NoSuchJob(job_id);
    }
    db_->Query("INSERT INTO job_events (job_id, time, from_state, to_state, message) VALUES (?, ?, ?, ?, ?)",
               {job_id, NowUnixMillis(), from_state, to_state, message});
    return Status::Ok();
  });
}

std::vector<Job> StateStore::Jobs(int limit) {
  return CatchSqlOr("list jobs", std::vector<Job>{}, [&] {
    std::vector<Job> out;
    for (const SqlRow& row : db_->Query("SELECT id, address, operation, status, progress, started_at, finished_at, "
                                        "error FROM jobs ORDER BY id DESC LIMIT ?",
                                        {limit})
                                 .rows) {
      out.push_back(ReadJob(row));
    }
    return out;
  });
}

std::vector<JobEvent> StateStore::JobEvents(int64_t job_id) {
  return CatchSqlOr("list events of job " + std::to_string(job_id), std::vector<JobEvent>{}, [&] {
    std::vector<JobEvent> out;
    for (const SqlRow& q : db_->Query("SELECT id, job_id, time, from_state, to_state, message FROM job_events "
                                      "WHERE job_id = ? ORDER BY id",
                                      {job_id})
                               .rows) {
      out.push_back({q.Int64(0), q.Int64(1), q.Int64(2), q.Text(3), q.Text(4), q.Text(5)});
    }
    return out;
  });
}

}  // namespace cdr::state
