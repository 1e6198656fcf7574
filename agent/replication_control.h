// What an agent can be asked to do about replication, and what it reports. The control API (agent/api/) serves
// this interface over HTTP; the HTTP client implements it too, so the reconciler commands an agent the same way
// whether it is a real process or a test double. Commands act on every disk of the server, as in CT-CDR.
//
// States are the server states of docs/state-machine.md, per disk and for the whole agent:
//   initialized ──start──► replication_starting ──► full_sync ──► realtime
//   full_sync ──stop──► full_sync_stopping ──► full_sync_stopped      (restart/start resumes the sync)
//   realtime  ──stop──► realtime_stopping  ──► realtime_stopped       (restart/start resumes from the acked seq)
//   link down longer than the outage window, journal full, disk geometry change, crash without bitmap
//        ──► replication_error ──repair (auto when auto_restart and the link is back), or start with a target
//        (maybe the shadow's new address)──► repair_starting ──► repairing (compare block hashes, send only
//        differing blocks) ──► realtime
//   agent crash (kill -9) ──restart──► repair_starting ──► repairing (only the dirty bitmap's ranges) ──► realtime
//   start with compare_first (a seeded replica) ──► repair_starting ──► repairing (the whole disk) ──► realtime
//
// In realtime, an online verify (on demand, and every verify interval) compares sampled ranges of each disk with
// the replica; a difference ──► replication_error ──► repair, as above.
//
// Independent of those states, the agent may be fenced (agent/write_fence.h): its exports refuse writes while
// the server is failed over, so production cannot diverge from the DR host (no split brain).
//   unfenced ──Fence──► fenced ──Unfence (rollback of an unconfirmed failover)──► unfenced
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace cdr::agent {

// Where and how to replicate; given with start and persisted by the agent, so restarts keep it.
struct ReplicationTarget {
  std::string shadow_address;  // "127.0.0.1:PORT" or "[::1]:PORT"
  std::string server_id;       // the protected server's id, checked by the shadow
  bool sync_mode = false;      // acknowledge writes only once the shadow has them
  bool auto_restart = true;    // repair by itself when the link is back after an error
  uint64_t rate_bytes_per_second = 0;  // 0: unlimited
  int outage_window_seconds = 300;     // link down longer than this → replication_error
  // The replica was seeded with data that is mostly this disk's already (failback: the original production disk,
  // or a copy of the DR host's disk): the first start compares the whole disk with it by block hashes and sends
  // only the differing blocks (repair_starting → repairing → realtime) instead of a full sync.
  bool compare_first = false;
  // With compare_first, a failback into production's own disks: the seq each production disk holds (its agent
  // is fenced and its journal complete: its journal seq), by disk name. A disk whose DR host change map
  // covers the history up to exactly that seq compares only the blocks changed since the failover
  // (agent/failover_changes.h); any other disk, or none given, compares the whole disk.
  std::map<std::string, uint64_t> production_seqs;
  // cdr's names of the protection group and the server: labels of the agent's metrics, so they join with the
  // other exporters'. Not part of the target's identity (a start differing only in them changes nothing).
  std::string group;
  std::string server_name;
};

// What can be changed on a running agent without a resync (POST /v1/settings, docs/agent-api.md), and what it
// reports as in effect. sync_mode, rate and outage window are also given with each start (ReplicationTarget);
// the journal cap starts as cdr-agent --journal-max-mib. Values set either way are persisted and survive
// restarts.
struct AgentSettings {
  bool sync_mode = false;
  uint64_t rate_bytes_per_second = 0;  // 0: unlimited
  int outage_window_seconds = 300;
  uint64_t journal_max_bytes = 1ull << 30;  // per disk; a journal past it turns full (→ replication_error)
};

// A partial change of AgentSettings: fields left empty keep their value.
struct SettingsUpdate {
  std::optional<bool> sync_mode;
  std::optional<uint64_t> rate_bytes_per_second;
  std::optional<int> outage_window_seconds;   // > 0
  std::optional<uint64_t> journal_max_bytes;  // > 0
};

// The online verify of one disk (agent/online_verifier.h): what the newest round found. Times are Unix ms; 0 and
// empty mean "no round since the agent started", which status shows as unknown.
struct DiskVerifyStatus {
  bool running = false;     // a round is comparing ranges now
  bool requested = false;   // a round on demand is due
  int64_t round_started_ms = 0;
  int64_t round_finished_ms = 0;
  std::string outcome;          // of the newest finished round: "same", "differs", "skipped", "failed"
  std::string reason;           // with "skipped"/"failed": why; with "differs": where
  uint64_t round_bytes = 0;     // bytes the newest finished round compared
  uint64_t cursor = 0;          // where the next scheduled round starts
  uint64_t bytes_compared = 0;  // since the agent started
  uint64_t differences = 0;     // ranges found different since the agent started
  int64_t difference_ms = 0;    // the newest difference; 0: none since the agent started
  uint64_t difference_offset = 0;
};

struct DiskReplicationStatus {
  std::string disk;        // the export name ("vda")
  std::string state;       // docs/state-machine.md state name (see above)
  uint64_t size_bytes = 0;
  double progress_percent = 0;  // full sync or repair progress; 100 in realtime
  uint64_t bytes_sent = 0;            // wire bytes since the agent started
  uint64_t full_sync_bytes_sent = 0;  // disk bytes sent by full syncs since the agent started
  uint64_t repair_bytes_sent = 0;     // disk bytes sent by repairs since the agent started
  uint64_t journal_seq = 0;           // newest journaled write
  uint64_t acked_seq = 0;             // newest write the shadow acknowledged
  uint64_t journal_bytes = 0;         // journal bytes retained (not yet acknowledged)
  double lag_seconds = 0;  // RPO: age of the oldest write the shadow has not acknowledged (0 when none)
  bool link_up = false;
  std::string last_error;
  uint64_t repair_compared_bytes = 0;  // disk bytes repairs compared by hash since the agent started
  // Blocks of dirty_block_bytes the dirty bitmap marks: written since the replica last had every write, so
  // what a resync after an agent crash would compare.
  uint64_t dirty_blocks = 0;
  uint64_t dirty_block_bytes = 0;
  // While replication is stopped: the writes journaled since the shadow's last acknowledgement, which a restart
  // sends. Unknown (false) while a sender runs, and when the acknowledged seq is not known.
  bool backlog_known = false;
  uint64_t backlog_writes = 0;
  uint64_t backlog_bytes = 0;
  double backlog_age_seconds = 0;  // of the oldest of them; 0 when there is none
  DiskVerifyStatus verify;
};

// An online verify on demand: `bytes` from each disk's rolling cursor, 0 for the whole disk.
struct VerifyRequest {
  uint64_t bytes = 0;
};

struct AgentStatus {
  std::string server_id;     // empty before the first start
  std::string state;         // the server's state: the least advanced disk's (an error wins)
  std::string nbd_address;   // "127.0.0.1:PORT"
  std::string shadow_address;
  bool sync_mode = false;
  bool auto_restart = true;
  double lag_seconds = 0;    // the largest of the disks'
  bool fenced = false;       // the exports refuse writes (the server failed over)
  std::string group;         // cdr's names given with the last start (empty before it)
  std::string server_name;
  std::string version;       // the agent's release ("0.5.0"); empty from an agent too old to say
  std::optional<AgentSettings> settings;  // in effect now; none from an agent too old to report them
  std::vector<DiskReplicationStatus> disks;
};

class ReplicationControl {
 public:
  virtual ~ReplicationControl() = default;
  virtual Result<AgentStatus> GetStatus() = 0;
  // From initialized or a *_stopped state (resumes). Starting a running agent with the same target is Ok.
  // From replication_error: stores the target (the shadow host may have come back on a new address) and
  // repairs towards it (repair_starting → repairing → realtime), as Repair() does with the stored one.
  // kFailedPrecondition from other states, saying which state it is in.
  virtual Status Start(const ReplicationTarget& target) = 0;
  // From replication_starting, full_sync, realtime (→ *_stopping → *_stopped); Ok when already stopped.
  // Stopping a repair leaves replication_error: the replica is not consistent until a repair finishes.
  virtual Status Stop() = 0;
  // Stop then start with the persisted target (the sync resumes, it does not start over).
  virtual Status Restart() = 0;
  // From replication_error; kFailedPrecondition otherwise.
  virtual Status Repair() = 0;
  // Raise / lift the write fence of every export; Ok when already so. Fence returns once no write is in flight
  // any more. Replication is not touched: the caller stops or starts it.
  virtual Status Fence() = 0;
  virtual Status Unfence() = 0;
  // Starts an online verify round of every disk in realtime and returns; GetStatus shows its progress and
  // outcome. kFailedPrecondition, naming the state, when no disk is in realtime.
  virtual Status Verify(const VerifyRequest& request) = 0;
  // Applies the given settings now, in any state, without a resync: a running sender paces to the new rate
  // and watches the new outage window, the exports switch between sync and async, the journals take the new
  // cap. kInvalidArgument (nothing changed) when a value is out of range.
  virtual Status SetSettings(const SettingsUpdate& update) = 0;
};

}  // namespace cdr::agent
