// The state store: what cdr believes exists, in one SQLite file (the default; WAL mode) or in a PostgreSQL
// database shared by several operators (`postgres://…`), schema versioned and migrated on open. Tables:
// resources, meta (serial), jobs, job_events, lock, applies, rpo_samples. The backends live behind
// internal/sql_connection.h; this API is the same for both. See docs/state.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "state/resource_kind.h"

namespace cdr::state {
namespace internal {
class SqlConnection;
}

// One managed resource. `status` is the resource's lifecycle (for servers: the state of
// docs/state-machine.md, e.g. "initialized"; for other kinds the lifecycle of state/record_status.h:
// "creating", "created", "deleting").
struct ResourceRecord {
  std::string address;      // "group.web-prod", "group.web-prod.peering", "group.web-prod.server.web-1"
  ResourceKind kind = ResourceKind::kGroup;
  std::string provider_id;  // the provider's id once known ("pcx-…"), empty before
  std::string status;
  nlohmann::json attributes = nlohmann::json::object();
  int64_t created_at = 0;  // unix ms
  int64_t updated_at = 0;
};

enum class JobStatus { kPending, kRunning, kSucceeded, kFailed };
const char* JobStatusName(JobStatus s);

struct Job {
  int64_t id = 0;
  std::string address;
  std::string operation;  // "create", "register", "delete", "rename", "deregister", ...
  JobStatus status = JobStatus::kPending;
  int progress = 0;  // percent 0..100
  int64_t started_at = 0;
  int64_t finished_at = 0;  // 0 while unfinished
  std::string error;
};

struct JobEvent {
  int64_t id = 0;
  int64_t job_id = 0;
  int64_t time = 0;
  std::string from_state;  // may be empty
  std::string to_state;    // may be empty
  std::string message;
};

struct LockInfo {
  std::string id;         // random hex, what force-unlock takes
  std::string owner;      // "user@host"
  std::string operation;  // by name: LockOperationName (state/lock_operation.h)
  int64_t pid = 0;
  int64_t pid_start_time = 0;  // from /proc/PID/stat, so a reused pid is not mistaken for the holder
  std::string host;
  int64_t acquired_at = 0;
  int64_t expires_at = 0;
};

// One observation of a server's RPO by `cdr serve` (state/rpo_samples.cc).
struct RpoSample {
  std::string server;  // the server's address
  int64_t time = 0;    // unix ms
  double rpo_seconds = -1;  // -1: unknown
  bool live = false;        // the agent's word, not an upper bound from an older observation
  std::string health;
};

struct LockRequest {
  std::string operation;
  int64_t ttl_millis = 10 * 60 * 1000;
};

// One `cdr apply` that changed something: what was applied, from where, by whom.
struct AppliedRecord {
  int64_t id = 0;
  int64_t applied_at = 0;
  int64_t serial = 0;       // the state serial the apply produced
  std::string git_commit;   // the commit the spec came from; empty when not from git
  std::string source;       // "git REPO@REF:PATH" or the spec path
  std::string plan_digest;  // sha256 of the applied plan's changes
  std::string operator_name;  // "user@host"
  int changes = 0;
  int failed = 0;         // steps that failed or were skipped
  bool rollback = false;  // applied with --allow-rollback onto a non-descendant commit
  int64_t finished_at = 0;  // 0 while running, or forever when the apply was killed
};

class StateStore {
 public:
  // `location`: a file path (created with its parent directory when missing) or a `postgres://` URL (the
  // database must exist). Migrates older schemas forward.
  static Result<std::unique_ptr<StateStore>> Open(const std::string& location);
  ~StateStore();

  int SchemaVersion() const;

  // Serial: bumped once by every apply that changed something.
  int64_t Serial();
  int64_t BumpSerial();  // the new serial; -1 when it could not be written (logged)

  std::vector<ResourceRecord> Resources();  // sorted by address
  std::optional<ResourceRecord> Get(const std::string& address);
  // Insert or replace; sets updated_at (and created_at on insert). Durable when it returns.
  Status Put(const ResourceRecord& record);
  // Put of every record in one transaction (one durable commit instead of one each); none is written on error.
  Status PutAll(const std::vector<ResourceRecord>& records);
  Status Delete(const std::string& address);  // Ok when absent: a resumed apply may delete twice
  // Changes the address of a resource and of every resource under it ("group.a" → "group.b" also moves
  // "group.a.server.x"), in one transaction. kNotFound when `from` is absent, kAlreadyExists when `to` or
  // anything under it exists.
  Status Move(const std::string& from_address, const std::string& to_address);

  Result<int64_t> StartJob(const std::string& address, const std::string& operation);
  Status UpdateJobProgress(int64_t job_id, int progress);
  Status FinishJob(int64_t job_id, JobStatus status, const std::string& error = "");
  // Marks every job still `running` as failed with `reason`: called by the new lock holder, so those jobs belong
  // to a process that is gone. Returns how many were marked.
  Result<int> AbandonRunningJobs(const std::string& reason);
  Status AddJobEvent(int64_t job_id, const std::string& from_state, const std::string& to_state,
                     const std::string& message);
  std::vector<Job> Jobs(int limit = 100);  // newest first
  std::vector<JobEvent> JobEvents(int64_t job_id);

  // Written when an apply starts (applied_at defaults to now); FinishApply closes it.
  Result<int64_t> RecordApply(const AppliedRecord& record);
  Status FinishApply(int64_t id, int failed);
  std::vector<AppliedRecord> History(int limit = 50);          // newest first
  // The newest apply that came from a git commit: what a new git plan must descend from.
  std::optional<AppliedRecord> LastAppliedCommit();
  // "user@host" of this process, as recorded in locks and history.
  static std::string OperatorName();

  // Adds one observation round and drops samples older than `keep_after_ms`, in one transaction, so the
  // table stays bounded however long `cdr serve` runs.
  Status AddRpoSamples(const std::vector<RpoSample>& samples, int64_t keep_after_ms);
  std::vector<RpoSample> RpoSamples(const std::string& server, int64_t since_ms);  // oldest first

  // Takes the lock. Refused (kAborted, message naming holder, operation, pid, host, since) when another live
  // holder has it. Taken over when the holder is on this host and its process is gone, or when it expired.
  // On PostgreSQL the holder also keeps a session advisory lock: a holder whose session is gone (killed) is
  // taken over at once, and an expired holder on another host has its session ended first.
  Result<LockInfo> AcquireLock(const LockRequest& request);
  // Reads the lock without taking it: refused as AcquireLock would be when another live holder has it. For
  // commands that only read (plan, drift), which must not write the state to lock it.
  Status CheckUnlocked();
  // Pushes expires_at forward; long applies call it between steps.
  Status RenewLock(const std::string& lock_id, int64_t ttl_millis);
  Status ReleaseLock(const std::string& lock_id);
  // kNotFound when no lock has that id. On PostgreSQL the session that held it is ended too.
  Status ForceUnlock(const std::string& lock_id);
  std::optional<LockInfo> CurrentLock();
  // Why the next command would take `lock` over ("its process is gone", "it expired …"), or "" when it would
  // be respected.
  static std::string TakeoverReasonFor(const LockInfo& lock);

 private:
  explicit StateStore(std::unique_ptr<internal::SqlConnection> db);
  std::unique_ptr<internal::SqlConnection> db_;
};

}  // namespace cdr::state
