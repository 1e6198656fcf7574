// Streams one protected disk to its replica on the shadow host (protocol: docs/wire-protocol.md). One thread
// runs the sessions; per session a second thread reads the shadow's ACKs (and repair block hashes).
//
//   replication_starting ──connect, HELLO──► refused (foreign epoch) ──► error (retried slowly; operator)
//          │ accepted: HELLO_ACK(applied seq, full sync cursor, repair cursor)
//          ├─ full_sync (while the shadow says full_sync_done = false; resumes at the shadow's cursor, or
//          │            restarts at 0 when the journal lost the sync's base seq)
//          ├─ repair_starting ─► repairing (needs_repair, compare_first, or the shadow has a repair in
//          │            progress: range hashes, block hashes of differing ranges, differing blocks; resumes
//          │            at the shadow's cursor;
//          │            after an agent crash only the ranges the dirty bitmap marks, also after a full sync
//          │            resumed past them)
//          │ the shadow's applied seq is ahead of the journal ──► error (never skip a write as a "resend")
//          ▼
//   realtime: journal records from applied seq + 1, batched, at most window_bytes unacknowledged,
//             heartbeat every second, Journal::ReleaseUpTo(acked) after acks
//          │ link down / shadow error ──► reconnect with backoff, resend from the last acknowledged seq
//          │ an online verify probe the shadow answers "differs" ──► error (its repair fixes the replica)
//   error (replication_error) ◄── no session for longer than outage_window, journal full, disk size changed,
//          initial_error, or the journal lost records the replica needs. The journal is reset; with
//          auto_restart the sender keeps probing and repairs when the shadow answers, else StartRepair().
//   stop ──► stopped
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agent/dirty_bitmap.h"
#include "agent/dirty_bitmap_layer.h"
#include "agent/failover_changes.h"
#include "agent/journal.h"
#include "common/byte_stream.h"
#include "common/status.h"
#include "common/tls_context.h"
#include "common/wire_frame.h"

namespace cdr::agent {

// kError is the state machine's replication_error (docs/state-machine.md): the replica needs a repair before realtime can go on.
enum class ReplicationPhase {
  kReplicationStarting,
  kFullSync,
  kRealtime,
  kStopped,
  kError,
  kRepairStarting,
  kRepairing
};
const char* ReplicationPhaseName(ReplicationPhase phase);  // "replication_starting", … as in docs/state-machine.md

struct ReplicationStatus {
  ReplicationPhase phase = ReplicationPhase::kStopped;
  double progress_percent = 0;  // full sync or repair: acknowledged cursor / disk size; 100 in realtime
  uint64_t bytes_sent = 0;      // bytes written to the socket (frames after compression, hashes included)
  uint64_t full_sync_bytes_sent = 0;  // disk data bytes sent by full syncs (before compression)
  uint64_t repair_bytes_sent = 0;     // disk data bytes sent by repairs (before compression)
  uint64_t repair_compared_bytes = 0;  // disk bytes the repairs compared (hashed on both sides)
  uint64_t acked_seq = 0;
  uint64_t journal_seq = 0;    // newest journaled write
  uint64_t journal_bytes = 0;  // journal bytes retained
  bool link_up = false;        // a session with the shadow is established
  bool full_sync_done = false;  // as the shadow last said
  // Age of the oldest write the shadow has not acknowledged; while the link is down or in error it keeps
  // growing from the oldest unacknowledged record (or the moment the outage/error began).
  double lag_seconds = 0;
  std::string last_error;  // in kError: the reason
};

struct ReplicationOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string server_id;
  std::string disk;                 // the export name
  std::filesystem::path disk_path;  // read directly for the full sync
  uint64_t epoch = 0;
  bool compress = true;
  // TLS with the agent's certificate (common/tls_context.h); null: plain TCP (the estate's insecure = true).
  std::shared_ptr<const TlsContext> tls;
  uint64_t extent_bytes = 1 << 20;
  uint64_t window_bytes = 128ull << 20;  // several shadow commits (32 MiB): the stream never waits on one
  // Realtime, async: once a record is appended the sender waits this long (or for kGatherRecords records)
  // before it sends, so a stream of small writes costs the agent one send, and the shadow one wake, one
  // commit and one ACK, per batch instead of per write. A writer waiting for its ACK (sync mode), a verify
  // probe or a full journal cut the wait short; it never lasts past the next heartbeat (1 s after the last
  // send). Zero: every append is sent at once.
  std::chrono::microseconds gather_for{1000};
  uint64_t rate_bytes_per_second = 0;  // 0: unlimited
  std::chrono::seconds outage_window{300};  // no session for longer than this → kError
  bool auto_restart = true;  // in kError (link or initial_error): probe the shadow and repair by itself
  std::string initial_error;  // non-empty: Start() enters kError with this reason (ExportStack::needs_repair())
  // With initial_error: the journal holds every write since the last run (the agent stopped cleanly), so a
  // repair the shadow has in progress may resume at its cursor. false (after an unclean host shutdown writes may
  // be on the disk without a record): the repair starts over at byte 0.
  bool journal_complete_at_start = false;
  // Non-null: the agent stopped uncleanly (kill -9, crash) on this host, so a write in flight then may be on
  // the disk without a journal record. The blocks this bitmap marks are compared with the replica before
  // realtime: Start() goes to repair_starting, not to replication_error. They are read once the journal was
  // reset for the repair's base, so a write journaled before that reset is among them. Ignored when
  // initial_error is set (that repair compares the whole disk).
  const DirtyBitmap* resync_bitmap = nullptr;
  // The replica was seeded with mostly this disk's data (ReplicationTarget::compare_first): the first Start()
  // goes to repair_starting and compares the whole disk (HELLO asks for a repair, so the shadow adopts a seeded
  // image instead of expecting a full sync). Ignored when initial_error is set (that repair is the same).
  bool compare_first = false;
  // With compare_first: what the first compare may be limited to (ReadFailoverChanges). When usable, it
  // covers these ranges and the blocks own_bitmap (this export's dirty bitmap) marks when the repair starts,
  // which hold every write made since this agent took the disk over; otherwise the whole disk, for the reason
  // in `why`.
  FailoverChangesScope seed_scope;
  const DirtyBitmap* own_bitmap = nullptr;
  // The export's bitmap layer, cleared when the replica has every journaled write (at most once per
  // bitmap_clear_interval, in realtime only), so an agent crash resyncs only what changed since. Null or a zero
  // interval: never cleared (a crash then compares every block written since the bitmap was made).
  DirtyBitmapLayer* clear_bitmap = nullptr;
  std::chrono::milliseconds bitmap_clear_interval{5000};
};

class ReplicationSender {
 public:
  ReplicationSender(ReplicationOptions options, Journal* journal, uint64_t disk_size, uint32_t block_size);
  ~ReplicationSender();
  ReplicationSender(const ReplicationSender&) = delete;
  ReplicationSender& operator=(const ReplicationSender&) = delete;

  // Start() after Stop() resumes: full sync at the shadow's cursor, realtime from the acked seq, or a repair.
  void Start();
  // Joins the threads and leaves kStopped.
  void Stop();
  // From kError: runs a repair (compare block hashes, send the differing blocks, then realtime); no-op
  // otherwise.
  void StartRepair();
  ReplicationStatus status() const;
  // Live settings (the control API): the rate applies from the next frame sent (0: unlimited), the outage
  // window from the next wait for the link.
  void SetLimits(uint64_t rate_bytes_per_second, std::chrono::seconds outage_window);
  // true once the shadow acknowledged `seq` (sync mode); false at the deadline or when stopped.
  bool WaitForAck(uint64_t seq, std::chrono::milliseconds deadline);
  // A sync-mode write under way, from before its record is appended until its WaitForAck returns: while one
  // is, the realtime loop sends each record at once instead of gathering a batch, so the replica's write
  // overlaps a FUA write's local sync (the writer calls WaitForAck only after that sync).
  class AckWaiter {
   public:
    explicit AckWaiter(ReplicationSender* sender);
    ~AckWaiter();
    AckWaiter(const AckWaiter&) = delete;
    AckWaiter& operator=(const AckWaiter&) = delete;

   private:
    ReplicationSender* const sender_;
  };

  // Online verify (agent/replication_verify.cc, agent/online_verifier.h). In realtime only: queues the probe to
  // go out after journal record probe.seq and before any later record (kFailedPrecondition naming the phase
  // otherwise). The caller holds the range (JournalLayer::HoldRange) until this returns.
  Status SubmitVerify(wire::VerifyRange probe);
  // The shadow's answer to probe `id`: kSkipped with the reason when the session ended first; kUnavailable
  // at the deadline. A kDiffers answer has already put the sender into replication_error (a repair follows).
  Result<wire::VerifyResult> AwaitVerify(uint64_t id, std::chrono::steady_clock::time_point deadline);

 private:
  struct InFlight {
    uint64_t key;  // cursor (full sync) or seq (realtime)
    uint64_t bytes;
    uint64_t time_ns;
  };
  void Run();
  Status RunSession(ByteStream& link);
  Status FullSync(ByteStream& link, const wire::HelloAck& ack);
  Status Realtime(ByteStream& link);
  // agent/replication_repair.cc: compares the replica with the disk and sends what differs; then the replica
  // is at the repair's base seq.
  Status Repair(ByteStream& link, const wire::HelloAck& ack);
  // A resync with nothing to compare is done at once: the replica is at its applied seq.
  Status FinishResync(const std::string& why);
  void ReceiveAcks(ByteStream& link);
  // agent/replication_verify.cc. Caps *up_to so no record past a queued probe's seq is read before the probe
  // is sent; returns whether a probe is queued.
  bool CapAtVerify(uint64_t next, uint64_t* up_to);
  // Appends the queued probes whose seq the stream has reached (next - 1) to the batch.
  void AppendDueVerifies(uint64_t next, std::vector<uint8_t>* batch);
  void OnVerifyResult(const wire::VerifyResult& result);  // from ReceiveAcks
  // The session ended: probes not answered are answered kSkipped; the queue is emptied.
  void AbandonVerifiesLocked(const std::string& why);  // requires mutex_
  // agent/replication_bitmap_clear.cc: in realtime, once the interval passed and the replica has every
  // journaled write, clears the dirty bitmap (ReplicationOptions::clear_bitmap).
  void ClearBitmapIfCaughtUp();
  // Records `bytes` more as in flight once they fit in the window; when they do not, the batch is sent first
  // and the acks are awaited. kUnavailable if the session broke.
  Status Reserve(ByteStream& link, std::vector<uint8_t>* batch, uint64_t key, uint64_t bytes,
                 uint64_t time_ns);
  // Sends the batch (honouring the rate limit) and clears it.
  Status Flush(ByteStream& link, std::vector<uint8_t>* batch);
  // Sends `bytes` held in the iovecs (honouring the rate limit): frames whose payload is not copied.
  Status SendVec(ByteStream& link, struct iovec* iov, int count, uint64_t bytes);
  // Waits until `bytes` more fit under the rate limit, heartbeating meanwhile.
  Status Pace(ByteStream& link, uint64_t bytes);
  void SetPhase(ReplicationPhase phase, const std::string& reason);
  bool SessionBroken();
  bool RepairDue();

  // agent/replication_errors.cc: entering and leaving replication_error, and the lag meanwhile.
  enum class JournalOnError { kReset, kKeep };
  // kReplicationStarting; kRepairStarting for the resync after an agent crash; or kError when another repair is
  // due (initial_error, or one left by the last run).
  void EnterFirstPhase();
  // → kError; the time of the oldest write not replicated is kept for the lag. kReset: the journal is of no
  // more use (a repair compares the whole disk); kKeep: it still covers a repair the shadow has in progress.
  void EnterError(const std::string& reason, JournalOnError journal = JournalOnError::kReset);
  // → kRepairStarting for the resync after an agent crash (resync_only_): no error, nothing for an operator.
  void EnterResync(const std::string& reason);
  // Waits `backoff` before the next connection; past the outage window (or with the journal lost while the
  // link is down) enters kError. false once a stop is requested.
  bool WaitToRetry(std::chrono::milliseconds backoff);
  double LagSecondsLocked(const ReplicationStatus& s) const;  // requires mutex_
  // Realtime ns of journal record `seq`, or 0 when it is not in the journal any more.
  uint64_t RecordTimeNs(uint64_t seq) const;

  const ReplicationOptions options_;
  Journal* const journal_;
  uint64_t append_listener_ = 0;  // wakes the realtime loop on the appends of seq >= wake_at_seq_
  // Set by the realtime loop before it looks at the journal (the journal's lock orders the two): the next
  // unsent seq while it is idle, the seq that fills a batch while it gathers, 0 (every append) otherwise.
  std::atomic<uint64_t> wake_at_seq_{0};
  const uint64_t disk_size_;
  const uint32_t block_size_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  ByteStream* session_link_ = nullptr;  // the running session's stream, shut down by Stop()
  bool session_broken_ = false;
  std::string session_error_;
  bool in_full_sync_ = false;
  bool shadow_full_sync_done_ = false;
  uint64_t shadow_cursor_ = 0;
  uint64_t acked_seq_ = 0;
  int ack_waiters_ = 0;  // AckWaiters and writers in WaitForAck: the realtime loop does not gather for them
  std::deque<InFlight> in_flight_;
  uint64_t in_flight_bytes_ = 0;
  ReplicationStatus status_;
  std::chrono::steady_clock::time_point rate_start_;
  uint64_t rate_bytes_ = 0;
  uint64_t rate_bytes_per_second_;      // options_' until SetLimits
  std::chrono::seconds outage_window_;  // options_' until SetLimits
  std::thread thread_;

  // Error and repair. needs_repair_ outlives Stop()/Start() until a repair (or a full sync) completes.
  bool start_options_used_ = false;  // initial_error and resync_bitmap apply to the first Start() only
  bool needs_repair_ = false;
  // The repair due is the resync after an agent crash, limited to the dirty bitmap's blocks; cleared by
  // EnterError (then the whole disk is compared) and once a repair or a full sync from byte 0 is done.
  bool resync_only_ = false;
  bool fresh_repair_ = false;  // the next repair starts at byte 0 with a new base (not resumed)
  // The first compare of a seeded replica is due and may use options_.seed_scope; cleared by EnterError (then
  // the whole disk is compared) and once that compare is done.
  bool seed_compare_due_ = false;
  bool repair_requested_ = false;
  bool link_up_ = false;
  std::chrono::steady_clock::time_point link_down_since_;
  uint64_t unreplicated_since_ns_ = 0;  // in error/repair: oldest write the replica may not have
  bool shadow_repair_in_progress_ = false;
  uint64_t shadow_repair_cursor_ = 0;
  std::deque<wire::RepairBlockHashes> repair_replies_;
  // Online verify: probes to send, probes sent (answer once it came), a difference found this session.
  std::deque<wire::VerifyRange> verify_queue_;
  std::map<uint64_t, std::optional<wire::VerifyResult>> verify_outstanding_;
  std::string divergence_;
  std::chrono::steady_clock::time_point bitmap_cleared_at_{};
  mutable uint64_t lag_cache_seq_ = 0;
  mutable uint64_t lag_cache_time_ns_ = 0;
};

}  // namespace cdr::agent
