// ReplicaDisk's side of the repair (docs/wire-protocol.md, "Repair"): compare range hashes with the replica,
// answer differing ranges with block hashes, write the blocks the agent sends (also those it sends without a
// compare, REPAIR_SEND), and keep a cursor that a restart of either side resumes from.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "agent/internal/block_hash.h"
#include "shadow/replica_disk.h"

namespace cdr::shadow {

Status ReplicaDisk::ContinueRepair(const char* frame, uint64_t base_seq, uint64_t offset, uint64_t end) {
  if (!state_.full_sync_done)
    return FailedPrecondition(std::string(frame) + " before the full sync finished");
  const bool new_repair = !state_.repair_in_progress || state_.repair_base_seq != base_seq;
  if (new_repair) {
    spdlog::info("replica {}/{}: repair starts, base seq {}; not consistent until it ends", state_.server_id,
                 state_.disk, base_seq);
    CDR_RETURN_IF_ERROR(history_->RepairStarting(state_.applied_seq));
    state_.repair_in_progress = true;
    state_.repair_base_seq = base_seq;
    state_.repair_cursor = 0;
    repair_waiting_.clear();
    repair_checked_end_ = 0;
    uncommitted_ = true;
  }
  // Ranges ascend; a gap before one is space the agent knows equal (a resync limited to its dirty bitmap).
  if (offset < repair_checked_end_) {
    return InvalidArgument(std::string(frame) + ": range at " + std::to_string(offset) +
                           " goes back before " + std::to_string(repair_checked_end_));
  }
  if (offset >= state_.disk_size || end > state_.disk_size || end < offset) {
    return InvalidArgument(std::string(frame) + ": range at " + std::to_string(offset) + " outside the disk");
  }
  return Status::Ok();
}

Result<bool> ReplicaDisk::CheckRepairRange(uint64_t base_seq, const wire::RangeHash& range,
                                           std::vector<wire::Hash128>* block_hashes) {
  CDR_RETURN_IF_ERROR(ContinueRepair("REPAIR_RANGES", base_seq, range.offset, range.offset + range.length));
  CDR_RETURN_IF_ERROR(agent::internal::HashRange(fd_, range.offset, range.length, state_.disk_size,
                                                 state_.block_size, &repair_buffer_, block_hashes));
  repair_checked_end_ = range.offset + range.length;
  const bool equal = agent::internal::HashOfHashes(*block_hashes) == range.hash;
  if (!equal) repair_waiting_.insert(range.offset);
  AdvanceRepairCursor();
  return equal;
}

Status ReplicaDisk::ApplyRepairBlocks(const wire::RepairBlocks& blocks) {
  if (!state_.repair_in_progress || repair_waiting_.erase(blocks.offset) == 0) {
    return InvalidArgument("REPAIR_BLOCKS for range " + std::to_string(blocks.offset) +
                           " that is not waiting for its blocks");
  }
  CDR_RETURN_IF_ERROR(WriteRepairRuns(blocks));
  AdvanceRepairCursor();
  uncommitted_ = true;
  return Status::Ok();
}

Status ReplicaDisk::ApplyRepairSend(const wire::RepairSend& send) {
  CDR_RETURN_IF_ERROR(ContinueRepair("REPAIR_SEND", send.base_seq, send.blocks.offset, send.blocks.end));
  CDR_RETURN_IF_ERROR(WriteRepairRuns(send.blocks));
  repair_checked_end_ = send.blocks.end;
  AdvanceRepairCursor();
  uncommitted_ = true;
  return Status::Ok();
}

Status ReplicaDisk::WriteRepairRuns(const wire::RepairBlocks& blocks) {
  for (const wire::RepairRun& run : blocks.runs) {
    if (run.offset > state_.disk_size || run.length > state_.disk_size - run.offset)
      return InvalidArgument("REPAIR_BLOCKS: run outside the disk");
    CDR_RETURN_IF_ERROR(
        history_->RecordRepairRun(run.offset, run.length, run.zero ? std::span<const uint8_t>() : run.data));
    if (run.zero) {
      CDR_RETURN_IF_ERROR(Zero(run.offset, run.length, false));
      continue;
    }
    Result<bool> direct = repair_writer_->Write(run.offset, run.data);
    if (!direct.ok()) return direct.status();
    if (!*direct) CDR_RETURN_IF_ERROR(WriteAt(run.offset, run.data));
  }
  return Status::Ok();
}

void ReplicaDisk::AdvanceRepairCursor() {
  const uint64_t cursor = repair_waiting_.empty() ? repair_checked_end_ : *repair_waiting_.begin();
  if (cursor != state_.repair_cursor) {
    state_.repair_cursor = cursor;
    uncommitted_ = true;
  }
}

Status ReplicaDisk::FinishRepair(uint64_t base_seq) {
  // The space after the last range is, like any gap, what the agent knows equal; a range still waiting for its
  // blocks is not.
  if (!state_.repair_in_progress || state_.repair_base_seq != base_seq || !repair_waiting_.empty()) {
    return InvalidArgument("REPAIR_END with base seq " + std::to_string(base_seq) + " but the repair is at byte " +
                           std::to_string(state_.repair_cursor) + " of " + std::to_string(state_.disk_size));
  }
  state_.repair_cursor = state_.disk_size;
  state_.repair_in_progress = false;
  state_.applied_seq = base_seq;
  history_->RepairFinishing(base_seq);
  uncommitted_ = true;
  spdlog::info("replica {}/{}: repair done, consistent at seq {}", state_.server_id, state_.disk, base_seq);
  return Status::Ok();
}

}  // namespace cdr::shadow
