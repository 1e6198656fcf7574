// ReplicationSender's error side: when replication_error is entered (a repair due at start, the outage window,
// a lost journal), how a repair is requested, and the lag (RPO) it reports meanwhile.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "journal/format.h"
#include "journal/reader.h"
#include "agent/replication_sender.h"

namespace cdr::agent {

using Clock = std::chrono::steady_clock;

void ReplicationSender::EnterFirstPhase() {
  bool error_at_start;
  bool resync;
  bool journal_complete = true;  // a repair left by this sender's last run: its journal went on recording
  bool seeded = false;
  std::string reason;
  {
    std::lock_guard lock(mutex_);
    const bool first_start = !start_options_used_;
    start_options_used_ = true;
    if (first_start && !options_.initial_error.empty()) {
      needs_repair_ = true;
      reason = options_.initial_error;
      journal_complete = options_.journal_complete_at_start;
    } else if (first_start && options_.resync_bitmap != nullptr) {
      // The write in flight at the crash may be on the disk without a record: the journal cannot tell which
      // blocks the replica misses, and no repair the shadow has in progress may resume from it.
      needs_repair_ = true;
      fresh_repair_ = true;
      resync_only_ = true;
      const DirtyBitmap& bitmap = *options_.resync_bitmap;
      reason = "the agent stopped uncleanly: comparing the " + std::to_string(bitmap.CountDirtyBlocks()) +
               " dirty blocks of the bitmap with the replica before realtime";
    } else if (first_start && options_.compare_first) {
      // Nothing was lost: the replica simply starts from other data than a full sync would give it.
      needs_repair_ = true;
      fresh_repair_ = true;
      resync_only_ = false;
      seeded = true;
      seed_compare_due_ = true;
      reason =
          "the replica was seeded with this disk's data: " +
          (options_.seed_scope.usable
               ? "sending the blocks that can differ, uncompared: " + options_.seed_scope.why
               : "comparing the whole disk (" + options_.seed_scope.why + "), sending only what differs");
    } else if (needs_repair_) {
      reason = status_.last_error.empty() ? "a repair is still needed" : status_.last_error;
    }
    resync = needs_repair_ && (resync_only_ || seeded);
    error_at_start = needs_repair_ && !resync;
    link_down_since_ = Clock::now();
  }
  if (resync) {
    EnterResync(reason.empty() ? "the resync after the agent's crash is still due" : reason);
    return;
  }
  if (!error_at_start) {
    SetPhase(ReplicationPhase::kReplicationStarting, "started");
    return;
  }
  bool repair_already_requested;
  {
    std::lock_guard lock(mutex_);
    repair_already_requested = repair_requested_;
  }
  // A complete journal holds every write since a repair stopped half-way, so that repair may resume at the
  // shadow's cursor (Repair() checks that the journal reaches back to its base) instead of starting over.
  EnterError(reason, journal_complete ? JournalOnError::kKeep : JournalOnError::kReset);
  if (repair_already_requested) {
    std::lock_guard lock(mutex_);
    repair_requested_ = true;
  }
}

void ReplicationSender::EnterResync(const std::string& reason) {
  {
    std::lock_guard lock(mutex_);
    const uint64_t oldest_ns =
        journal_->next_seq() > journal_->first_seq() ? RecordTimeNs(journal_->first_seq()) : 0;
    if (unreplicated_since_ns_ == 0) unreplicated_since_ns_ = oldest_ns != 0 ? oldest_ns : journal::NowRecordTimeNs();
  }
  SetPhase(ReplicationPhase::kRepairStarting, reason);
}

void ReplicationSender::EnterError(const std::string& reason, JournalOnError journal) {
  uint64_t oldest_ns = 0;
  {
    std::lock_guard lock(mutex_);
    if (journal_->next_seq() - 1 > acked_seq_)
      oldest_ns = RecordTimeNs(std::max(acked_seq_ + 1, journal_->first_seq()));
  }
  if (journal == JournalOnError::kReset) {
    if (Status s = journal_->Reset(); !s.ok()) {
      spdlog::error("replication {}/{}: journal reset failed: {}", options_.server_id, options_.disk,
                    s.ToString());
    }
  }
  {
    std::lock_guard lock(mutex_);
    if (!needs_repair_ || unreplicated_since_ns_ == 0) {
      unreplicated_since_ns_ = oldest_ns != 0 ? oldest_ns : journal::NowRecordTimeNs();
    }
    needs_repair_ = true;
    resync_only_ = false;  // whatever the error, the repair it needs compares the whole disk
    seed_compare_due_ = false;
    if (journal == JournalOnError::kReset) fresh_repair_ = true;
    repair_requested_ = false;
    status_.last_error = reason;
  }
  SetPhase(ReplicationPhase::kError, reason);
}

bool ReplicationSender::WaitToRetry(std::chrono::milliseconds backoff) {
  std::unique_lock lock(mutex_);
  auto wake = Clock::now() + backoff;
  const bool watching_outage = status_.phase != ReplicationPhase::kError;
  const auto outage_deadline = link_down_since_ + outage_window_;
  if (watching_outage) wake = std::min(wake, std::max(outage_deadline, Clock::now()));
  cv_.wait_until(lock, wake, [&] { return stop_; });
  if (stop_) return false;
  const bool journal_lost = journal_->full() || journal_->broken();
  if (watching_outage && (Clock::now() >= outage_deadline || journal_lost)) {
    const std::string why =
        journal_lost
            ? "journal full while the link is down: the dirty bitmap holds the rest; a repair is needed"
            : "link down for more than " + std::to_string(outage_window_.count()) +
                  " s (outage window); a repair is needed";
    lock.unlock();
    EnterError(why);
  }
  return true;
}

void ReplicationSender::StartRepair() {
  {
    std::lock_guard lock(mutex_);
    // A sender just started with a known need for repair enters kError on its own thread: the request is kept
    // for it rather than lost.
    const bool entering_error = status_.phase == ReplicationPhase::kStopped && thread_.joinable() && !stop_ &&
                                (needs_repair_ || (!options_.initial_error.empty() && !start_options_used_));
    if (status_.phase != ReplicationPhase::kError && !entering_error) return;
    repair_requested_ = true;
    needs_repair_ = true;
  }
  cv_.notify_all();
}

double ReplicationSender::LagSecondsLocked(const ReplicationStatus& s) const {
  const bool repairing = s.phase == ReplicationPhase::kError || s.phase == ReplicationPhase::kRepairStarting ||
                         s.phase == ReplicationPhase::kRepairing;
  uint64_t oldest_ns = 0;
  if (repairing && needs_repair_) {
    oldest_ns = unreplicated_since_ns_;
  } else if (shadow_full_sync_done_ && s.journal_seq > acked_seq_) {
    // In flight, the oldest record is at hand; with the link down it is read from the journal.
    oldest_ns = !in_flight_.empty() ? in_flight_.front().time_ns : RecordTimeNs(acked_seq_ + 1);
  }
  const uint64_t now = journal::NowRecordTimeNs();
  return oldest_ns != 0 && now > oldest_ns ? static_cast<double>(now - oldest_ns) / 1e9 : 0;
}

uint64_t ReplicationSender::RecordTimeNs(uint64_t seq) const {
  if (seq == lag_cache_seq_) return lag_cache_time_ns_;
  Result<std::unique_ptr<journal::JournalReader>> reader = journal::JournalReader::Open(journal_->dir(), seq, seq);
  journal::Record record;
  if (!reader.ok()) return 0;
  Result<bool> got = (*reader)->Next(&record);
  if (!got.ok() || !*got) return 0;
  lag_cache_seq_ = seq;
  lag_cache_time_ns_ = record.time_ns;
  return record.time_ns;
}

}  // namespace cdr::agent
