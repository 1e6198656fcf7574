// The replica's commit: what has to be durable before the shadow acknowledges a seq, and how the state file
// catches up afterwards.
//
//   Commit ─┬─ realtime, only applied_seq moved, checkpoint not due ─► fdatasync(CDP log)            (1 sync)
//           ├─ anything else new (full sync, repair, other fields)  ─► Checkpoint                   (3-4 syncs)
//           └─ nothing new (a heartbeat), state file behind          ─► Checkpoint
//   Checkpoint: fdatasync(image), fdatasync(CDP log), repair delta, state file replaced atomically
//   Open: CDP records past the state file's applied_seq ─► written into the image again ─► Checkpoint
//
// Why one sync is enough (docs/wire-protocol.md, "Commits and checkpoints"): every DATA record is appended to
// the CDP log with its full content (kind, range, data) after it was applied to the image, and records are
// idempotent writes of fixed ranges. Once the log is durable up to seq N, a crash can lose image writes but
// not the records that redo them: Open rewrites records (state file seq, log tail] in seq order, so the image
// holds every record up to N again before anything reads or acknowledges it.
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "journal/reader.h"
#include "shadow/replica_disk.h"

namespace cdr::shadow {
namespace {

// A state file at most this many bytes of records to replay (or checkpoint_every_) behind the acknowledged seq.
constexpr uint64_t kCheckpointBytes = 64ull << 20;

}  // namespace

bool ReplicaDisk::LogOnlyCommitAllowed() const {
  ReplicaState moved = saved_;
  moved.applied_seq = state_.applied_seq;
  return state_.consistent() && moved == state_ && logged_since_save_ < kCheckpointBytes &&
         std::chrono::steady_clock::now() - saved_at_ < checkpoint_every_;
}

Status ReplicaDisk::Commit() {
  const bool quiet = !uncommitted_;  // a heartbeat: the agent has sent everything it had
  if (uncommitted_ && LogOnlyCommitAllowed()) {
    CDR_RETURN_IF_ERROR(cdp_->Sync());
  } else if (uncommitted_ || !(saved_ == state_)) {
    CDR_RETURN_IF_ERROR(Checkpoint());
  }
  uncommitted_ = false;
  history_->Committed(state_, quiet);
  return Status::Ok();
}

Status ReplicaDisk::Checkpoint() {
  if (::fdatasync(fd_) != 0) return Internal(std::string("fdatasync replica: ") + std::strerror(errno));
  CDR_RETURN_IF_ERROR(cdp_->Sync());
  CDR_RETURN_IF_ERROR(history_->SyncBeforeCommit());
  CDR_RETURN_IF_ERROR(SaveReplicaState(state_path_, state_));
  saved_ = state_;
  saved_at_ = std::chrono::steady_clock::now();
  logged_since_save_ = 0;
  return Status::Ok();
}

Status ReplicaDisk::ReplayLog(const std::filesystem::path& cdp_dir) {
  // A log-only commit happens only on a consistent replica whose state file differs in applied_seq alone.
  if (!state_.consistent() || cdp_->next_seq() == 0 || cdp_->next_seq() - 1 <= state_.applied_seq) {
    return Status::Ok();
  }
  const uint64_t from = state_.applied_seq + 1, last = cdp_->next_seq() - 1;
  Result<std::unique_ptr<journal::JournalReader>> reader = journal::JournalReader::Open(cdp_dir, from, last);
  Status s = reader.status();
  uint64_t expected = from;
  journal::Record r;
  while (s.ok()) {
    Result<bool> got = (*reader)->Next(&r);
    if (!got.ok()) s = got.status();
    if (!s.ok() || !*got) break;
    if (r.seq != expected) {
      s = DataLoss("CDP record seq " + std::to_string(r.seq) + " where " + std::to_string(expected) + " was due");
      break;
    }
    if (r.offset > state_.disk_size || r.length > state_.disk_size - r.offset) {
      s = DataLoss("CDP record seq " + std::to_string(r.seq) + " outside the disk");
      break;
    }
    const bool no_hole = r.kind == journal::RecordKind::kZero && (r.flags & journal::kRecordFlagNoHole) != 0;
    s = r.kind == journal::RecordKind::kWrite ? WriteAt(r.offset, r.data) : Zero(r.offset, r.length, no_hole);
    ++expected;
  }
  if (s.ok() && expected != last + 1) s = DataLoss("the CDP log ends at seq " + std::to_string(expected - 1));
  if (s.ok()) {
    spdlog::info("replica {}/{}: CDP records {}..{} written into the image again (acknowledged after the state "
                 "file's seq)",
                 state_.server_id, state_.disk, from, last);
    state_.applied_seq = last;
  } else {
    // Records the agent may have released are not all here: only a comparison with the disk can tell.
    spdlog::error("replica {}/{}: cannot replay the CDP log past seq {} ({}); a repair compares the replica "
                  "with the disk",
                  state_.server_id, state_.disk, state_.applied_seq, s.ToString());
    state_.repair_in_progress = true;
    state_.repair_cursor = 0;
  }
  return Checkpoint();
}

}  // namespace cdr::shadow
