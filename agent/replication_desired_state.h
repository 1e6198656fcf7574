// What the agent was last asked to do about replication, kept in STATE_DIR/replication.json (written
// atomically) so a restarted agent, also after kill -9, comes back replicating to the same shadow or stays
// stopped. Per disk it remembers what names a stopped disk's state without a session to the shadow: whether
// the full sync was done, an error that still needs a repair, and a resync still due after an agent crash.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "agent/replication_control.h"
#include "common/status.h"

namespace cdr::agent {

struct DiskReplicationMemory {
  bool full_sync_done = false;
  std::string error;  // non-empty: the replica must be repaired before realtime can go on
  // The newest seq the shadow acknowledged when the sender last stopped, so a stopped agent, also after a
  // restart, can tell how much it has not sent. None before the first stop.
  std::optional<uint64_t> acked_seq;
  // The agent stopped uncleanly since the last realtime: the blocks the dirty bitmap marks must be compared
  // with the replica before realtime (kept here because an orderly exit marks the bitmap clean meanwhile).
  bool resync_dirty = false;
};

struct DesiredReplication {
  std::optional<ReplicationTarget> target;  // none until the first start
  bool running = false;
  std::map<std::string, DiskReplicationMemory> disks;  // by export name
  // Set by a start or over the control API; none until then (the command-line flags apply).
  std::optional<AgentSettings> settings;
};

std::filesystem::path DesiredReplicationPath(const std::filesystem::path& state_dir);
// A missing file is the empty state of an agent never started; a malformed one is kDataLoss naming the file
// and the field.
Result<DesiredReplication> LoadDesiredReplication(const std::filesystem::path& path);
Status SaveDesiredReplication(const std::filesystem::path& path, const DesiredReplication& desired);

}  // namespace cdr::agent
