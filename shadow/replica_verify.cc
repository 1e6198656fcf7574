// ReplicaDisk's side of the online verify (docs/wire-protocol.md, "Online verify"): the replica's range is
// hashed block by block, as the repair does, and compared with the agent's hashes of the same range at the
// same seq. Nothing is written: a difference is reported to the agent, which repairs.
#include <spdlog/spdlog.h>

#include "agent/internal/block_hash.h"
#include "shadow/replica_disk.h"

namespace cdr::shadow {
namespace {

// The agent probes 1 MiB at a time; a larger range would hold this connection's applier hashing for long.
constexpr uint32_t kMaxVerifyBytes = 16u << 20;

wire::VerifyResult Skipped(const wire::VerifyRange& probe, std::string reason) {
  wire::VerifyResult r{probe.id, probe.offset, probe.length, wire::VerifyOutcome::kSkipped};
  r.reason = std::move(reason);
  return r;
}

}  // namespace

Result<wire::VerifyResult> ReplicaDisk::Verify(const wire::VerifyRange& probe) {
  if (probe.offset >= state_.disk_size || probe.length > state_.disk_size - probe.offset) {
    return InvalidArgument("VERIFY_RANGE at " + std::to_string(probe.offset) + " outside the disk");
  }
  if (probe.length > kMaxVerifyBytes) {
    return InvalidArgument("VERIFY_RANGE of " + std::to_string(probe.length) + " bytes, at most " +
                           std::to_string(kMaxVerifyBytes));
  }
  if (probe.block_size != state_.block_size) {
    return InvalidArgument("VERIFY_RANGE with block size " + std::to_string(probe.block_size) +
                           ", the replica's is " + std::to_string(state_.block_size));
  }
  if (!state_.full_sync_done) return Skipped(probe, "the full sync has not finished");
  if (state_.repair_in_progress) return Skipped(probe, "a repair is in progress");
  if (state_.applied_seq < probe.seq) {
    return Skipped(probe, "the replica is at seq " + std::to_string(state_.applied_seq) + ", before " +
                              std::to_string(probe.seq));
  }
  std::vector<wire::Hash128> hashes;
  CDR_RETURN_IF_ERROR(agent::internal::HashRange(fd_, probe.offset, probe.length, state_.disk_size,
                                                 state_.block_size, &repair_buffer_, &hashes));
  wire::VerifyResult result{probe.id, probe.offset, probe.length, wire::VerifyOutcome::kSame};
  for (size_t i = 0; i < hashes.size() && i < probe.hashes.size(); ++i) {
    if (hashes[i] == probe.hashes[i]) continue;
    if (result.differing_blocks++ == 0) result.first_differing_offset = probe.offset + i * probe.block_size;
    result.outcome = wire::VerifyOutcome::kDiffers;
  }
  if (result.outcome == wire::VerifyOutcome::kDiffers) {
    spdlog::warn(
        "replica {}/{}: online verify at seq {}: {} block(s) of [{}, +{}) differ from the agent's disk, "
        "first at byte {}",
        state_.server_id, state_.disk, probe.seq, result.differing_blocks, probe.offset, probe.length,
        result.first_differing_offset);
  }
  return result;
}

}  // namespace cdr::shadow
