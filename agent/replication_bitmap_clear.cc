// ReplicationSender's side of clearing the dirty bitmap (agent/dirty_bitmap_layer.h). The bitmap exists for
// the write an agent crash may leave on the disk without a journal record; every other write since the last
// clear is either in the replica (acknowledged) or still in the journal, whose retained records a restart
// replays into the bitmap. So once the replica has acknowledged every journaled write, and no write is between
// its mark and its record, no bit is needed any more. Never outside realtime: a full sync or a repair in
// progress, or one that is due, relies on the bits it started from.
#include <spdlog/spdlog.h>

#include "agent/replication_sender.h"

namespace cdr::agent {

void ReplicationSender::ClearBitmapIfCaughtUp() {
  if (options_.clear_bitmap == nullptr || options_.bitmap_clear_interval.count() <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - bitmap_cleared_at_ < options_.bitmap_clear_interval) return;
  // Evaluated while no write is in flight in the bitmap layer: the journal's newest seq then covers every
  // write whose bit is set.
  Result<bool> cleared = options_.clear_bitmap->ClearIfReplicated([this] {
    std::lock_guard lock(mutex_);
    return status_.phase == ReplicationPhase::kRealtime && !needs_repair_ && divergence_.empty() &&
           !session_broken_ && !journal_->full() && !journal_->broken() &&
           acked_seq_ == journal_->next_seq() - 1;
  });
  if (!cleared.ok()) {
    // The file keeps its bits at worst: a crash then compares more blocks, never fewer.
    spdlog::warn("replication {}/{}: clearing the dirty bitmap failed: {}", options_.server_id, options_.disk,
                 cleared.status().ToString());
  }
  if (cleared.ok() && *cleared) bitmap_cleared_at_ = now;
}

}  // namespace cdr::agent
