// Streams one protected disk to its replica on the shadow host (protocol: docs/wire-protocol.md). One thread
// runs the sessions; per session a second thread reads the shadow's ACKs.
//
//   replication_starting ──connect, HELLO──► refused ──► error (retry with backoff; an operator must act)
//          │ accepted: HELLO_ACK(applied seq, full sync cursor)
//          ▼
//   full_sync (only while the shadow says full_sync_done = false; resumes at the shadow's cursor)
//          │ FULL_SYNC_EXTENTs, then the end marker; the replica is at the sync's base seq once it acks
//          ▼
//   realtime: journal records from applied seq + 1, batched, at most window_bytes unacknowledged,
//             heartbeat every second, Journal::ReleaseUpTo(acked) after acks
//          │ link down / shadow error ──► reconnect with backoff, resend from the last acknowledged seq
//   stop ──► stopped
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "agent/journal.h"
#include "common/status.h"
#include "common/wire_frame.h"

namespace cdr::agent {

enum class ReplicationPhase { kReplicationStarting, kFullSync, kRealtime, kStopped, kError };
const char* ReplicationPhaseName(ReplicationPhase phase);  // "replication_starting", … as in DESIGN.md §2

struct ReplicationStatus {
  ReplicationPhase phase = ReplicationPhase::kStopped;
  double progress_percent = 0;        // full sync: acknowledged cursor / disk size; 100 in realtime
  uint64_t bytes_sent = 0;            // bytes written to the socket since Start() (frames, after compression)
  uint64_t full_sync_bytes_sent = 0;  // disk data bytes sent by full syncs since Start() (before compression)
  uint64_t acked_seq = 0;
  double lag_seconds = 0;  // age of the oldest journal record the shadow has not acknowledged
  std::string last_error;
};

struct ReplicationOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string server_id;
  std::string disk;                 // the export name
  std::filesystem::path disk_path;  // read directly for the full sync
  uint64_t epoch = 0;
  bool compress = true;
  uint64_t extent_bytes = 1 << 20;
  uint64_t window_bytes = 32ull << 20;
  uint64_t rate_bytes_per_second = 0;  // 0: unlimited
};

class ReplicationSender {
 public:
  ReplicationSender(ReplicationOptions options, Journal* journal, uint64_t disk_size, uint32_t block_size);
  ~ReplicationSender();
  ReplicationSender(const ReplicationSender&) = delete;
  ReplicationSender& operator=(const ReplicationSender&) = delete;

  void Start();
  void Stop();
  ReplicationStatus status() const;
  // true once the shadow acknowledged `seq` (sync mode); false at the deadline or when stopped.
  bool WaitForAck(uint64_t seq, std::chrono::milliseconds deadline);

 private:
  struct InFlight {
    uint64_t key;  // cursor (full sync) or seq (realtime)
    uint64_t bytes;
    uint64_t time_ns;
  };
  void Run();
  Status RunSession(int fd);
  Status FullSync(int fd, const wire::HelloAck& ack);
  Status Realtime(int fd);
  void ReceiveAcks(int fd);
  // Records `bytes` more as in flight once they fit in the window; when they do not, the batch is sent first
  // and the acks are awaited. kUnavailable if the session broke.
  Status Reserve(int fd, std::vector<uint8_t>* batch, uint64_t key, uint64_t bytes, uint64_t time_ns);
  // Sends the batch (honouring the rate limit) and clears it.
  Status Flush(int fd, std::vector<uint8_t>* batch);
  void SetPhase(ReplicationPhase phase, const std::string& reason);
  bool SessionBroken();

  const ReplicationOptions options_;
  Journal* const journal_;
  const uint64_t disk_size_;
  const uint32_t block_size_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  int session_fd_ = -1;
  bool session_broken_ = false;
  std::string session_error_;
  bool in_full_sync_ = false;
  bool shadow_full_sync_done_ = false;
  uint64_t shadow_cursor_ = 0;
  uint64_t acked_seq_ = 0;
  std::deque<InFlight> in_flight_;
  uint64_t in_flight_bytes_ = 0;
  ReplicationStatus status_;
  std::chrono::steady_clock::time_point rate_start_;
  uint64_t rate_bytes_ = 0;
  std::thread thread_;
};

// The epoch a replica is bound to, kept in STATE_DIR/NAME/replication.json and created at random on first
// use: a shadow refuses an agent with another epoch (stale or foreign peer).
Result<uint64_t> LoadOrCreateReplicationEpoch(const std::filesystem::path& export_state_dir);

}  // namespace cdr::agent
