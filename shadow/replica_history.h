// One replica disk's side of the recovery history (docs/recovery-points.md): ReplicaDisk tells it what
// happens to the replica and it keeps <disk>.base.img, <disk>.history.json and the repair deltas in step, and
// reports durable records to the server's ServerHistory (points, retention).
//
//   Open ──► ResetIfRebuilding (full sync pending or disk resized: the old history cannot continue)
//        ──► Opened (finishes what a crash interrupted)
//   each commit ──► SyncBeforeCommit ──► (state file saved) ──► Committed ──► base taken when the replica
//                                                                            is consistent and has none
//   repair: RepairStarting ──► RecordRepairRun (before the replica is written) ... ──► RepairFinishing
//
// Without a policy.json nothing is created: the shadow behaves exactly as it did before history existed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "shadow/cdp_log.h"
#include "shadow/history_files.h"
#include "shadow/replica_state.h"
#include "shadow/server_history.h"

namespace cdr::shadow {

class ReplicaHistory {
 public:
  ReplicaHistory(const std::filesystem::path& server_dir, const std::string& disk);
  ~ReplicaHistory();
  ReplicaHistory(const ReplicaHistory&) = delete;
  ReplicaHistory& operator=(const ReplicaHistory&) = delete;

  // Before the CDP log is opened: a replica that is rebuilt by a full sync (or resized) drops its history.
  Status ResetIfRebuilding(const ReplicaState& state, bool resized);
  Status Opened(const ReplicaState& state, const CdpLog& log);

  Status RepairStarting(uint64_t applied_seq);
  // A run of repaired blocks (empty data: zeroes), logged to the repair delta before the replica changes so a
  // crash never leaves a repaired block that the delta lacks.
  Status RecordRepairRun(uint64_t offset, uint64_t length, std::span<const uint8_t> data);
  void RepairFinishing(uint64_t base_seq) { finishing_repair_ = base_seq; }

  void Applied(uint64_t seq, uint64_t time_ns) { pending_.push_back({seq, time_ns}); }
  Status SyncBeforeCommit();
  // After the state file recorded `state`; `quiet`: nothing was applied since the last commit.
  void Committed(const ReplicaState& state, bool quiet);

 private:
  Status ResetLocked();
  Status OpenDelta(const RepairEntry& entry);
  Status FinishRepairEntry(uint64_t finished_seq);
  void TakeBase(const ReplicaState& state);

  const HistoryPaths paths_;
  const std::shared_ptr<ServerHistory> server_;
  bool has_history_ = false;
  std::unique_ptr<CdpLog> delta_;  // the running repair's delta, when the disk has a history
  uint64_t finishing_repair_ = 0;
  std::vector<DurableRecord> pending_;  // applied since the last commit
  std::vector<uint8_t> zeroes_;
};

}  // namespace cdr::shadow
