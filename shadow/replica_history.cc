#include "shadow/replica_history.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "journal/format.h"
#include "journal/segment_files.h"
#include "shadow/history_image.h"
#include "shadow/history_lock.h"

namespace cdr::shadow {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kZeroChunk = 1 << 20;

bool Exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

}  // namespace

ReplicaHistory::ReplicaHistory(const fs::path& server_dir, const std::string& disk)
    : paths_{server_dir, disk}, server_(ServerHistory::For(server_dir)) {}

ReplicaHistory::~ReplicaHistory() { server_->DiskClosed(paths_.disk); }

Status ReplicaHistory::ResetIfRebuilding(const ReplicaState& state, bool resized) {
  if (state.full_sync_done && !resized) return Status::Ok();
  if (!Exists(paths_.history()) && !Exists(paths_.base())) return Status::Ok();
  std::unique_lock lock = server_->Lock();
  return ResetLocked();
}

Status ReplicaHistory::ResetLocked() {
  Result<HistoryLock> flock = HistoryLock::Exclusive(paths_.server_dir);
  if (!flock.ok()) return flock.status();
  std::error_code ec;
  fs::remove(paths_.history(), ec);  // first: without it nothing else is history any more
  SyncDirectory(paths_.server_dir);
  fs::remove(paths_.base(), ec);
  const std::string repair_prefix = paths_.disk + ".repair-";
  for (const auto& entry : fs::directory_iterator(paths_.server_dir, ec)) {
    if (entry.path().filename().string().rfind(repair_prefix, 0) == 0) fs::remove_all(entry.path(), ec);
  }
  for (const auto& entry : fs::directory_iterator(paths_.cdp_dir(), ec)) fs::remove(entry.path(), ec);
  delta_.reset();
  has_history_ = false;
  spdlog::info("history {}: reset (the replica is rebuilt from byte 0)", paths_.disk);
  return server_->DropDiskFromPointsLocked(paths_.disk);
}

Status ReplicaHistory::Opened(const ReplicaState& state, const CdpLog& log) {
  Result<std::optional<DiskHistory>> history = LoadDiskHistory(paths_.history());
  if (!history.ok()) return history.status();
  has_history_ = history->has_value();
  if (has_history_) {
    const RepairEntry* running = nullptr;
    for (const RepairEntry& r : (*history)->repairs) {
      if (r.finished_seq == 0) running = &r;
    }
    if (state.repair_in_progress && running != nullptr) {
      CDR_RETURN_IF_ERROR(OpenDelta(*running));
    } else if (state.repair_in_progress) {
      // A repair the history does not know wrote into the replica: the history cannot explain it.
      std::unique_lock lock = server_->Lock();
      CDR_RETURN_IF_ERROR(ResetLocked());
    } else if (running != nullptr) {
      // The repair ended but a crash came before history.json said so: the log resumes right after its seq.
      uint64_t finished = state.applied_seq;
      for (const auto& segment : journal::ListSegments(paths_.cdp_dir())) {
        if (segment.first_seq > running->after_seq + 1) {
          finished = segment.first_seq - 1;
          break;
        }
      }
      CDR_RETURN_IF_ERROR(FinishRepairEntry(finished));
    }
  }
  const bool log_is_current = log.next_seq() != 0 && log.next_seq() - 1 == state.applied_seq;
  const uint64_t time =
      log_is_current && log.last_time_ns() != 0 ? log.last_time_ns() : journal::NowRecordTimeNs();
  server_->DiskOpened(paths_.disk, state.consistent(), state.applied_seq, time);
  return Status::Ok();
}

Status ReplicaHistory::OpenDelta(const RepairEntry& entry) {
  // One segment for the whole repair: readers find it as seg-1.
  Result<std::unique_ptr<CdpLog>> delta = CdpLog::Open(paths_.server_dir / entry.dir, UINT64_MAX);
  if (!delta.ok()) return delta.status();
  delta_ = std::move(*delta);
  return Status::Ok();
}

Status ReplicaHistory::RepairStarting(uint64_t applied_seq) {
  server_->RepairStarted(paths_.disk);
  if (!has_history_) return Status::Ok();
  std::unique_lock lock = server_->Lock();
  Result<HistoryLock> flock = HistoryLock::Exclusive(paths_.server_dir);
  if (!flock.ok()) return flock.status();
  Result<std::optional<DiskHistory>> history = LoadDiskHistory(paths_.history());
  if (!history.ok()) return history.status();
  if (!*history) return Status::Ok();
  DiskHistory& h = **history;
  auto it = std::find_if(h.repairs.begin(), h.repairs.end(),
                         [&](const RepairEntry& r) { return r.after_seq == applied_seq; });
  // A repair restarted with a new base keeps appending to the same delta: later blocks win on replay.
  if (it == h.repairs.end()) {
    h.repairs.push_back({applied_seq, 0, paths_.repair_dir_name(applied_seq)});
    it = h.repairs.end() - 1;
  }
  it->finished_seq = 0;
  const RepairEntry entry = *it;
  CDR_RETURN_IF_ERROR(SaveDiskHistory(paths_.history(), h));
  if (delta_ == nullptr) CDR_RETURN_IF_ERROR(OpenDelta(entry));
  spdlog::info("history {}: repair after seq {} logs its blocks to {}", paths_.disk, applied_seq, entry.dir);
  return Status::Ok();
}

Status ReplicaHistory::RecordRepairRun(uint64_t offset, uint64_t length, std::span<const uint8_t> data) {
  if (delta_ == nullptr) return Status::Ok();
  auto append = [&](uint64_t at, std::span<const uint8_t> bytes) {
    const uint64_t seq = delta_->next_seq() == 0 ? 1 : delta_->next_seq();
    return delta_->Append({journal::RecordKind::kWrite, 0, seq, journal::NowRecordTimeNs(), at, bytes.size(),
                           journal::DataChecksum(bytes.data(), bytes.size()), bytes});
  };
  if (!data.empty()) return append(offset, data);
  // Zero runs are written out as data: the delta's records are all writes.
  if (zeroes_.empty()) zeroes_.resize(kZeroChunk);
  for (uint64_t pos = 0; pos < length; pos += kZeroChunk) {
    CDR_RETURN_IF_ERROR(
        append(offset + pos, std::span<const uint8_t>(zeroes_).first(std::min(kZeroChunk, length - pos))));
  }
  return Status::Ok();
}

Status ReplicaHistory::SyncBeforeCommit() { return delta_ != nullptr ? delta_->Sync() : Status::Ok(); }

Status ReplicaHistory::FinishRepairEntry(uint64_t finished_seq) {
  std::unique_lock lock = server_->Lock();
  Result<HistoryLock> flock = HistoryLock::Exclusive(paths_.server_dir);
  if (!flock.ok()) return flock.status();
  Result<std::optional<DiskHistory>> history = LoadDiskHistory(paths_.history());
  if (!history.ok()) return history.status();
  if (!*history) return Status::Ok();
  for (RepairEntry& r : (*history)->repairs) {
    if (r.finished_seq == 0) r.finished_seq = finished_seq;
  }
  delta_.reset();
  return SaveDiskHistory(paths_.history(), **history);
}

void ReplicaHistory::Committed(const ReplicaState& state, bool quiet) {
  const uint64_t now = journal::NowRecordTimeNs();
  if (finishing_repair_ != 0 && !state.repair_in_progress) {
    if (has_history_) {
      if (Status s = FinishRepairEntry(finishing_repair_); !s.ok()) {
        spdlog::error("history {}: repair end not recorded, history reset: {}", paths_.disk, s.ToString());
        std::unique_lock lock = server_->Lock();
        (void)ResetLocked();
      }
    }
    server_->RepairFinished(paths_.disk, finishing_repair_, now);
    finishing_repair_ = 0;
  }
  server_->Committed(paths_.disk, pending_, quiet, now);
  pending_.clear();
  if (!has_history_ && state.consistent() && server_->enabled()) TakeBase(state);
}

void ReplicaHistory::TakeBase(const ReplicaState& state) {
  const auto start = std::chrono::steady_clock::now();
  const uint64_t now = journal::NowRecordTimeNs();
  uint64_t copied = 0;
  Status s;
  {
    std::unique_lock lock = server_->Lock();
    Result<HistoryLock> flock = HistoryLock::Exclusive(paths_.server_dir);
    s = flock.ok() ? CopyImageExtents(paths_.image(), paths_.base(), &copied) : flock.status();
    if (s.ok()) s = SaveDiskHistory(paths_.history(), {state.disk_size, state.applied_seq, now, {}, 0});
  }
  if (!s.ok()) {
    spdlog::error("history {}: base not taken (retried at the next commit): {}", paths_.disk, s.ToString());
    return;
  }
  has_history_ = true;
  server_->HistoryStarted(paths_.disk, state.applied_seq, now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  spdlog::info("history {}: base taken at seq {} ({} bytes of data copied in {} ms)", paths_.disk,
               state.applied_seq, copied, ms.count());
}

}  // namespace cdr::shadow
