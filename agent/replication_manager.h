// The agent's replication lifecycle for all its disks: implements ReplicationControl
// (agent/replication_control.h) with one ReplicationSender per export, names each disk's state as docs/state-machine.md
// §2 does, and persists the target and the desired run state (STATE_DIR/replication.json) so a restarted
// agent comes back the way it was left.
//
//   initialized ──Start──► replication_starting ──► full_sync ──► realtime        (the sender's phases)
//   running ──Stop──► full_sync_stopping | realtime_stopping ──(senders joined)──► full_sync_stopped |
//                     realtime_stopped        (by whether the shadow had the full copy)
//   *_stopped ──Start | Restart──► replication_starting … (the sender resumes where the shadow is)
//   replication_error ──Repair | Start(target)──► repair_starting ──► repairing ──► realtime
//                     (Start stores the target first: the shadow host may be back on a new address)
//   after an agent crash, any start ──► repair_starting ──► repairing (the dirty bitmap's ranges) ──► realtime
//
// Stop returns at once and the senders are stopped on a thread of the manager, so *_stopping is what a caller
// polling GetStatus sees meanwhile. Commands are serialized; GetStatus never waits for a command.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/export_stack.h"
#include "agent/journal_backlog.h"
#include "agent/online_verifier.h"
#include "agent/replication_control.h"
#include "agent/replication_desired_state.h"
#include "agent/replication_sender.h"
#include "agent/sync_mode_switch.h"
#include "agent/verify_schedule.h"
#include "agent/write_fence.h"

namespace cdr::agent {

struct ProtectedDisk {
  ExportStack* stack = nullptr;     // not owned; outlives the manager
  std::filesystem::path disk_path;  // read directly by the full sync and the repair
};

struct ReplicationManagerOptions {
  std::filesystem::path state_dir;  // the agent's state root (ExportConfig::state_dir)
  std::string nbd_address;          // reported in AgentStatus; may be set later with set_nbd_address
  // Sync mode: how long a write waits for the shadow before the export runs asynchronously for a while.
  std::chrono::milliseconds sync_ack_timeout{5000};
  // The agent's write fence (the one its exports were built with); none: Fence/Unfence are refused.
  std::shared_ptr<WriteFence> fence;
  // The agent's TLS client context for the replication stream; null: plain TCP (cdr-agent --insecure).
  std::shared_ptr<const TlsContext> shadow_tls;
  // The online verify's schedule (agent/verify_schedule.h); rounds on demand run whatever it says.
  VerifyScheduleOptions verify;
  // How often each disk's dirty bitmap may be cleared once its replica has every write (0: never).
  std::chrono::milliseconds bitmap_clear_interval{5000};
  // The agent's release (cdr-agent --version), reported in AgentStatus so an upgrade can be seen to have landed.
  std::string version;
};

class ReplicationManager : public ReplicationControl {
 public:
  // Reads the persisted desired state (kDataLoss naming the file when malformed) and each disk's epoch.
  static Result<std::unique_ptr<ReplicationManager>> Open(ReplicationManagerOptions options,
                                                          std::vector<ProtectedDisk> disks);
  ~ReplicationManager() override;  // Shutdown()
  ReplicationManager(const ReplicationManager&) = delete;
  ReplicationManager& operator=(const ReplicationManager&) = delete;

  // What the NBD server must serve for disk `index` (the order given to Open): switches between sync and
  // async with each start.
  BlockDevice* device(size_t index) { return disks_[index]->front.get(); }
  void set_nbd_address(std::string address);

  // Brings back the persisted desired state: a running agent resumes replicating to its target; a stopped or
  // never started one stays as it is.
  Status ResumeDesiredState();
  // For an orderly exit (SIGTERM): stops the senders and records each disk's progress without changing the
  // desired state, so the next start resumes. Commands are refused afterwards.
  void Shutdown();

  Result<AgentStatus> GetStatus() override;
  Status Start(const ReplicationTarget& target) override;
  Status Stop() override;
  Status Restart() override;
  Status Repair() override;
  Status Fence() override;
  Status Unfence() override;
  Status Verify(const VerifyRequest& request) override;
  // agent/replication_settings.cc.
  Status SetSettings(const SettingsUpdate& update) override;

 private:
  struct Disk {
    ExportStack* stack = nullptr;
    std::filesystem::path path;
    uint64_t epoch = 0;
    std::unique_ptr<SyncModeSwitch> front;
    std::shared_ptr<ReplicationSender> sender;  // shared with a verify round under way
    std::unique_ptr<OnlineVerifier> verifier;
    std::optional<ReplicationTarget> sender_target;  // what `sender` was built for
    bool running = false;                            // started and not (being) stopped
    bool stopping = false;                           // Stop() under way
    bool stopping_from_error = false;                // the stop began in replication_error or a repair
    DiskReplicationMemory memory;
    std::optional<JournalBacklog> backlog;  // measured while stopped
    // Counters of the senders replaced since the agent started, so the status counts since the agent started.
    uint64_t base_bytes_sent = 0, base_full_sync_bytes = 0, base_repair_bytes = 0, base_repair_compared_bytes = 0;
  };

  explicit ReplicationManager(ReplicationManagerOptions options) : options_(std::move(options)) {}

  // Each requires mutex_ held.
  // agent/replication_settings.cc: the settings in effect at Open (persisted, else the start target's and the
  // journals' cap), given to the journals.
  void InitSettingsLocked();
  // Stores `target` and takes its sync mode, rate and outage window as the settings in effect.
  void SetTargetLocked(const ReplicationTarget& target);
  std::string DiskStateLocked(Disk& disk, const std::optional<ReplicationStatus>& status);
  static std::optional<ReplicationStatus> SenderStatusLocked(const Disk& disk);
  std::string StateLocked();
  bool AnyLocked(bool Disk::*flag) const;
  Status SaveLocked();
  void MeasureBacklogLocked(Disk& disk, DiskReplicationStatus* d);

  // Each requires command_mutex_ held.
  Status StartDisks(const ReplicationTarget& target);
  void StartDisk(Disk& disk, const ReplicationTarget& target, const std::string& from);
  // Start() in replication_error: the target (maybe a shadow host back on a new address) is stored and every
  // disk in error is repaired towards it.
  Status RepairTowards(const ReplicationTarget& target);
  void BeginStop(const std::string& reason);
  void JoinStopper();
  void StopSenders();
  // Stops `disk`'s sender and records what it reached.
  void StopDisk(Disk& disk);

  const ReplicationManagerOptions options_;
  std::vector<std::unique_ptr<Disk>> disks_;

  std::mutex command_mutex_;
  std::thread stopper_;
  bool shut_down_ = false;

  std::mutex mutex_;  // guards the fields below and every Disk field but stack/path/epoch/front/verifier
  std::string nbd_address_;
  DesiredReplication desired_;

  std::unique_ptr<VerifySchedule> verify_schedule_;  // uses disks_' verifiers: declared after them
};

}  // namespace cdr::agent
