// Online verify of one protected disk against its replica, as `drbdadm verify` does (docs/agent.md, "Online
// verify"). Range by range (1 MiB), the disk's block hashes are taken while the journal layer holds the range
// (no write to it in flight, every earlier one journaled), and the replication sender carries them to the
// shadow, which compares its replica at the same journal seq (agent/replication_verify.cc). A rolling cursor
// walks the disk, so successive scheduled rounds of a sample size cover all of it; a round on demand may
// cover the whole disk at once.
//
//   idle ──round (schedule or on demand)──► comparing range by range ──► same      (cursor moves on)
//                                                  │                 ──► differs   (the sender enters
//                                                  │                               replication_error; its
//                                                  repair │                               sends the differing
//                                                  blocks) └─ not realtime / link down ──► skipped (says why)
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <vector>

#include "agent/export_stack.h"
#include "agent/replication_control.h"
#include "agent/replication_sender.h"

namespace cdr::agent {

class OnlineVerifier {
 public:
  OnlineVerifier(ExportStack* stack, std::filesystem::path disk_path);
  ~OnlineVerifier();
  OnlineVerifier(const OnlineVerifier&) = delete;
  OnlineVerifier& operator=(const OnlineVerifier&) = delete;

  // Compares `bytes` of the disk from the rolling cursor (the whole disk from byte 0 when bytes is 0 or at
  // least the disk's size) with the replica. Stops at the first range that differs or could not be compared.
  void RunRound(ReplicationSender& sender, uint64_t bytes);
  // Marks the disk as having a round due (on demand) until RunRound starts it.
  void MarkRequested();
  DiskVerifyStatus status() const;

 private:
  // One range: its outcome, or why it could not be compared.
  Result<wire::VerifyResult> CompareRange(ReplicationSender& sender, uint64_t offset, uint32_t length);
  enum class Outcome { kSame, kDiffers, kSkipped, kFailed };
  void FinishRound(Outcome outcome, const std::string& reason, uint64_t compared);

  ExportStack* const stack_;
  const std::filesystem::path disk_path_;
  const uint64_t disk_size_;
  const uint32_t block_size_;
  int fd_ = -1;  // the disk, read-only
  uint64_t next_probe_id_ = 1;
  std::vector<uint8_t> buffer_;

  mutable std::mutex mutex_;
  DiskVerifyStatus status_;
};

}  // namespace cdr::agent
