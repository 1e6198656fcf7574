// What the shadow knows about one replica disk, persisted next to it as
// REPLICA_DIR/<server>/<disk>.state.json (written atomically, only after the replica and the CDP log were
// fdatasync'ed, so after a crash the replica holds at least everything up to applied_seq and the full sync
// cursor). In realtime the file's applied_seq may lag the acknowledged one by up to a checkpoint: the CDP log
// is then the redo log of the newer records (shadow/replica_commit.cc).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/status.h"

namespace cdr::shadow {

struct ReplicaState {
  std::string server_id;
  std::string disk;
  uint64_t disk_size = 0;
  uint32_t block_size = 0;
  uint64_t epoch = 0;
  uint64_t applied_seq = 0;         // every journal record up to here is in the replica
  uint64_t full_sync_cursor = 0;    // bytes [0, cursor) of the disk are copied
  uint64_t full_sync_base_seq = 0;  // journal seq the running full sync started after
  bool full_sync_done = false;
  // A repair compares the replica with the disk and rewrites what differs: until it ends the replica is a mix
  // of two times and not consistent. The cursor lets a restart of either side resume it.
  bool repair_in_progress = false;
  uint64_t repair_cursor = 0;    // bytes [0, cursor) are repaired
  uint64_t repair_base_seq = 0;  // journal seq the running repair started after
  bool consistent() const { return full_sync_done && !repair_in_progress; }
  bool operator==(const ReplicaState&) const = default;
};

// kNotFound when there is no state yet. The repair keys are optional (files written before repairs existed).
Result<ReplicaState> LoadReplicaState(const std::filesystem::path& path);
Status SaveReplicaState(const std::filesystem::path& path, const ReplicaState& state);

}  // namespace cdr::shadow
