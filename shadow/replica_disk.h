// One replica disk on the shadow host: REPLICA_DIR/<server>/<disk>.img (sparse, sized by the first
// HELLO), its state file (replica_state.h), its CDP log (cdp_log.h) and its recovery history
// (replica_history.h). Used by one connection at a time.
//
// Durability order: records are applied with pwrite/fallocate as they arrive and the caller acknowledges only
// after Commit(). A checkpoint fdatasyncs the image and the CDP log BEFORE it persists applied_seq / the full
// sync cursor; in realtime most commits only fdatasync the CDP log, which then is the redo log of the records
// past the state file's seq, replayed into the image at the next Open (shadow/replica_commit.cc, the proof in
// docs/wire-protocol.md). A crash between apply and commit leaves writes past the acknowledged seq in the image;
// the agent resends them, and re-applying a record is harmless because every record is an idempotent write of
// a fixed range.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/wire_frame.h"
#include "shadow/cdp_log.h"
#include "shadow/internal/direct_writer.h"
#include "shadow/replica_history.h"
#include "shadow/replica_state.h"

namespace cdr::shadow {

class ReplicaDisk {
 public:
  // kFailedPrecondition (message = the reason sent back in HELLO_ACK, *refusal says which) when the peer is
  // stale or foreign (another epoch) or the disk size changed; kInvalidArgument for unusable names. A HELLO
  // with kHelloRepair resizes the replica to the new size and marks it for a repair instead.
  static Result<std::unique_ptr<ReplicaDisk>> Open(const std::filesystem::path& replica_dir,
                                                   const wire::Hello& hello,
                                                   wire::Refusal* refusal = nullptr);
  ~ReplicaDisk();
  ReplicaDisk(const ReplicaDisk&) = delete;
  ReplicaDisk& operator=(const ReplicaDisk&) = delete;

  // kDataLoss for a record whose data does not match its checksum; kInvalidArgument for a seq gap or a range
  // outside the disk. Records at or below the applied seq are skipped.
  Status ApplyData(const wire::DataRecord& record);
  Status ApplyExtent(const wire::FullSyncExtent& extent);
  // Repair (shadow/replica_repair.cc). A range whose hash equals the replica's is done; for one that differs
  // *block_hashes gets the replica's block hashes and the range waits for its REPAIR_BLOCKS. A new base seq
  // starts a new repair at 0; the same base resumes at the cursor.
  Result<bool> CheckRepairRange(uint64_t base_seq, const wire::RangeHash& range,
                                std::vector<wire::Hash128>* block_hashes);
  Status ApplyRepairBlocks(const wire::RepairBlocks& blocks);
  // A range the agent repairs without a compare (REPAIR_SEND): its blocks are written and the range is done.
  Status ApplyRepairSend(const wire::RepairSend& send);
  // Every range up to the disk size is repaired: the replica is consistent again, at base_seq.
  Status FinishRepair(uint64_t base_seq);
  // Online verify (shadow/replica_verify.cc): compares the replica's range with the agent's block hashes.
  // kSkipped while the replica is not consistent (full sync or repair under way); kInvalidArgument for a range
  // outside the disk or another block size.
  Result<wire::VerifyResult> Verify(const wire::VerifyRange& probe);

  // Makes everything applied so far durable: a checkpoint (below), or in realtime, when only applied_seq moved
  // and no checkpoint is due, the CDP log's fdatasync alone. A commit with nothing new (a heartbeat) writes a
  // state file that lags.
  Status Commit();
  // The image and the CDP log fdatasync'ed, then the state file replaced: everything is in the state file.
  Status Checkpoint();
  // How stale the state file may get in realtime (1 s by default).
  void set_checkpoint_interval(std::chrono::steady_clock::duration every) { checkpoint_every_ = every; }
  bool has_uncommitted() const { return uncommitted_; }

  wire::HelloAck hello_ack() const;
  wire::Ack ack() const;
  const ReplicaState& state() const { return state_; }

  static std::filesystem::path ImagePath(const std::filesystem::path& replica_dir,
                                         const std::string& server_id, const std::string& disk);
  static std::filesystem::path StatePath(const std::filesystem::path& replica_dir,
                                         const std::string& server_id, const std::string& disk);

 private:
  ReplicaDisk() = default;
  Status Zero(uint64_t offset, uint64_t length, bool keep_allocated);
  Status WriteAt(uint64_t offset, std::span<const uint8_t> data);
  void AdvanceRepairCursor();
  // Starts the repair of base_seq (or goes on with it) for the range [offset, end), which must ascend.
  Status ContinueRepair(const char* frame, uint64_t base_seq, uint64_t offset, uint64_t end);
  Status WriteRepairRuns(const wire::RepairBlocks& blocks);
  // Open: the CDP log's records past the state file's applied_seq (acknowledged by a log-only commit) written
  // into the image again, then a checkpoint.
  Status ReplayLog(const std::filesystem::path& cdp_dir);
  bool LogOnlyCommitAllowed() const;

  int fd_ = -1;
  std::filesystem::path state_path_;
  ReplicaState state_;  // in memory ahead of the file until Commit()
  ReplicaState saved_;  // what the state file holds
  std::chrono::steady_clock::time_point saved_at_ = std::chrono::steady_clock::now();
  uint64_t logged_since_save_ = 0;  // payload bytes a replay would rewrite
  std::chrono::steady_clock::duration checkpoint_every_ = std::chrono::seconds(1);
  std::unique_ptr<CdpLog> cdp_;
  std::unique_ptr<ReplicaHistory> history_;  // base, repair deltas, points (docs/recovery-points.md)
  bool uncommitted_ = false;
  // This connection's full sync started at byte 0 and punched the whole disk: nothing past the cursor was written
  // since, so the gaps between extents are holes already.
  bool holes_ahead_ = false;
  // This connection's repair: ranges checked up to here, and the ones still waiting for their blocks. The
  // persisted cursor never passes a waiting range, so a restart re-checks from there.
  uint64_t repair_checked_end_ = 0;
  std::set<uint64_t> repair_waiting_;
  std::vector<uint8_t> repair_buffer_;
  // The repair's blocks go around the page cache (a failback writes hundreds of MiB of them).
  std::unique_ptr<internal::DirectWriter> repair_writer_;
};

}  // namespace cdr::shadow
