#include "agent/replication_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>

#include "agent/replication_epoch.h"
#include "agent/replication_state_names.h"
#include "common/clock.h"
#include "common/host_port.h"

namespace cdr::agent {
namespace {

constexpr const char* kUncleanShutdown = "unclean shutdown: the replica must be compared";
constexpr const char* kRepairInterrupted =
    "a repair was stopped before it finished: the replica must be compared";

bool SameTarget(const ReplicationTarget& a, const ReplicationTarget& b) {
  return a.shadow_address == b.shadow_address && a.server_id == b.server_id && a.sync_mode == b.sync_mode &&
         a.auto_restart == b.auto_restart && a.rate_bytes_per_second == b.rate_bytes_per_second &&
         a.outage_window_seconds == b.outage_window_seconds && a.compare_first == b.compare_first &&
         a.production_seqs == b.production_seqs;
}

// The shadow's HOST:PORT (a port to connect to: not 0).
Status SplitShadowAddress(const std::string& address, std::string* host, uint16_t* port) {
  Result<HostPort> where = SplitHostPort(address);
  if (!where.ok()) {
    return InvalidArgument("shadow_address wants HOST:PORT, got \"" + address + "\" (" + where.status().message() +
                           ")");
  }
  *host = where->host;
  *port = where->port;
  return Status::Ok();
}

Status ValidateTarget(const ReplicationTarget& target) {
  std::string host;
  uint16_t port = 0;
  CDR_RETURN_IF_ERROR(SplitShadowAddress(target.shadow_address, &host, &port));
  if (target.server_id.empty()) return InvalidArgument("server_id is empty");
  if (target.outage_window_seconds <= 0) {
    return InvalidArgument("outage_window_seconds must be > 0, got " +
                           std::to_string(target.outage_window_seconds));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ReplicationManager>> ReplicationManager::Open(ReplicationManagerOptions options,
                                                                     std::vector<ProtectedDisk> disks) {
  Result<DesiredReplication> desired = LoadDesiredReplication(DesiredReplicationPath(options.state_dir));
  if (!desired.ok()) return desired.status();
  std::unique_ptr<ReplicationManager> manager(new ReplicationManager(std::move(options)));
  manager->nbd_address_ = manager->options_.nbd_address;
  manager->desired_ = std::move(*desired);
  for (const ProtectedDisk& protected_disk : disks) {
    auto disk = std::make_unique<Disk>();
    disk->stack = protected_disk.stack;
    disk->path = protected_disk.disk_path;
    const std::string& name = disk->stack->name();
    Result<uint64_t> epoch = LoadOrCreateReplicationEpoch(manager->options_.state_dir / name);
    if (!epoch.ok()) return epoch.status();
    disk->epoch = *epoch;
    disk->front = std::make_unique<SyncModeSwitch>(disk->stack->device());
    disk->memory = manager->desired_.disks[name];
    // Before the first start there is no replica to compare: the first full sync copies everything anyway.
    if (disk->stack->needs_repair() && manager->desired_.target && disk->memory.error.empty()) {
      disk->memory.error = kUncleanShutdown;
    }
    // An agent crash on a running host: the bitmap is exact, but the write in flight may be on the disk without
    // a journal record (backing store first, journal after), so its block would never be streamed.
    if (disk->stack->recovery() == BitmapRecovery::kAgentCrash && manager->desired_.target) {
      disk->memory.resync_dirty = true;
    }
    disk->verifier = std::make_unique<OnlineVerifier>(disk->stack, disk->path);
    manager->disks_.push_back(std::move(disk));
  }
  {
    std::lock_guard lock(manager->mutex_);
    manager->InitSettingsLocked();
  }
  std::vector<OnlineVerifier*> verifiers;
  for (auto& disk : manager->disks_) verifiers.push_back(disk->verifier.get());
  ReplicationManager* raw = manager.get();
  manager->verify_schedule_ = std::make_unique<VerifySchedule>(
      manager->options_.verify, std::move(verifiers), [raw](size_t index) -> std::shared_ptr<ReplicationSender> {
        std::lock_guard lock(raw->mutex_);
        const Disk& disk = *raw->disks_[index];
        return disk.running ? disk.sender : nullptr;
      });
  manager->verify_schedule_->Start();
  return manager;
}

ReplicationManager::~ReplicationManager() {
  Shutdown();
  for (auto& disk : disks_) disk->front->UseSync(nullptr);
}

void ReplicationManager::set_nbd_address(std::string address) {
  std::lock_guard lock(mutex_);
  nbd_address_ = std::move(address);
}

Status ReplicationManager::ResumeDesiredState() {
  std::lock_guard command(command_mutex_);
  std::optional<ReplicationTarget> target;
  {
    std::lock_guard lock(mutex_);
    if (!desired_.running || AnyLocked(&Disk::running)) return Status::Ok();
    target = desired_.target;
  }
  spdlog::info("replication: resuming the persisted desired state: running to {} as {}",
               target->shadow_address, target->server_id);
  return StartDisks(*target);
}

Status ReplicationManager::Fence() {
  if (!options_.fence) return FailedPrecondition("this agent was started without a write fence");
  return options_.fence->Raise();
}

Status ReplicationManager::Unfence() {
  if (!options_.fence) return FailedPrecondition("this agent was started without a write fence");
  return options_.fence->Lift();
}

Status ReplicationManager::Verify(const VerifyRequest& request) {
  Status s = verify_schedule_->Request(request.bytes);
  if (s.ok() || s.code() != StatusCode::kFailedPrecondition) return s;
  std::lock_guard lock(mutex_);
  return FailedPrecondition("the server is in " + StateLocked() +
                            ": an online verify compares replicas in realtime; start replication and wait for "
                            "realtime (cdr status), then verify");
}

void ReplicationManager::Shutdown() {
  std::lock_guard command(command_mutex_);
  if (shut_down_) return;
  shut_down_ = true;
  if (stopper_.joinable()) stopper_.join();
  for (auto& disk : disks_) {
    bool running;
    {
      std::lock_guard lock(mutex_);
      running = disk->running;
    }
    if (running) StopDisk(*disk);
  }
  // After the senders: a range waiting for the shadow's answer returns as soon as its sender stops.
  verify_schedule_->Stop();
  std::lock_guard lock(mutex_);
  if (Status s = SaveLocked(); !s.ok()) spdlog::error("replication: {}", s.ToString());
}

Result<AgentStatus> ReplicationManager::GetStatus() {
  std::lock_guard lock(mutex_);
  AgentStatus agent;
  agent.nbd_address = nbd_address_;
  agent.version = options_.version;
  agent.fenced = options_.fence && options_.fence->fenced();
  if (desired_.target) {
    agent.server_id = desired_.target->server_id;
    agent.shadow_address = desired_.target->shadow_address;
    agent.group = desired_.target->group;
    agent.server_name = desired_.target->server_name;
    agent.sync_mode = desired_.target->sync_mode;
    agent.auto_restart = desired_.target->auto_restart;
  }
  agent.settings = desired_.settings;
  for (auto& disk : disks_) {
    DiskReplicationStatus d;
    d.disk = disk->stack->name();
    d.size_bytes = disk->stack->device()->Size();
    d.journal_seq = disk->stack->journal().next_seq() - 1;
    d.journal_bytes = disk->stack->journal().total_bytes();
    d.dirty_blocks = disk->stack->bitmap().CountDirtyBlocks();
    d.dirty_block_bytes = disk->stack->bitmap().granularity();
    d.bytes_sent = disk->base_bytes_sent;
    d.full_sync_bytes_sent = disk->base_full_sync_bytes;
    d.repair_bytes_sent = disk->base_repair_bytes;
    d.repair_compared_bytes = disk->base_repair_compared_bytes;
    d.last_error = disk->memory.error;
    std::optional<ReplicationStatus> s;
    if (disk->sender) {
      s = disk->sender->status();
      d.progress_percent = s->progress_percent;
      d.bytes_sent += s->bytes_sent;
      d.full_sync_bytes_sent += s->full_sync_bytes_sent;
      d.repair_bytes_sent += s->repair_bytes_sent;
      d.repair_compared_bytes += s->repair_compared_bytes;
      d.acked_seq = s->acked_seq;
      d.lag_seconds = s->lag_seconds;
      d.link_up = s->link_up;
      if (!s->last_error.empty()) d.last_error = s->last_error;
    } else if (disk->memory.full_sync_done) {
      d.progress_percent = 100;
    }
    d.state = DiskStateLocked(*disk, s);
    d.verify = disk->verifier->status();
    if (!disk->running && !disk->stopping) MeasureBacklogLocked(*disk, &d);
    agent.lag_seconds = std::max(agent.lag_seconds, d.lag_seconds);
    agent.disks.push_back(std::move(d));
  }
  agent.state = StateLocked();
  return agent;
}

std::string ReplicationManager::DiskStateLocked(Disk& disk, const std::optional<ReplicationStatus>& status) {
  if (disk.running && status && status->phase == ReplicationPhase::kRealtime) {
    // Realtime means the replica is whole again: a stop from here is realtime_stopped, and no repair is due.
    const bool repair_was_due = !disk.memory.full_sync_done || !disk.memory.error.empty() || disk.memory.resync_dirty;
    disk.memory.full_sync_done = true;
    disk.memory.error.clear();
    disk.memory.resync_dirty = false;
    // Saved at once: after a kill -9 from here on, the old reason (e.g. a torn journal tail's "unclean
    // shutdown") must not come back and make every later restart compare the whole disk.
    if (repair_was_due) {
      if (Status s = SaveLocked(); !s.ok()) spdlog::error("replication: {}", s.ToString());
    }
  }
  DiskLifecycle lifecycle;
  lifecycle.has_target = desired_.target.has_value();
  lifecycle.running = disk.running;
  lifecycle.stopping = disk.stopping;
  lifecycle.stopping_from_error = disk.stopping_from_error;
  lifecycle.full_sync_done = disk.memory.full_sync_done || (status && status->full_sync_done);
  lifecycle.repair_due = !disk.memory.error.empty();
  return DiskStateName(lifecycle, status ? std::optional(status->phase) : std::nullopt);
}

std::optional<ReplicationStatus> ReplicationManager::SenderStatusLocked(const Disk& disk) {
  if (!disk.sender) return std::nullopt;
  return disk.sender->status();
}

std::string ReplicationManager::StateLocked() {
  std::vector<std::string> states;
  for (auto& disk : disks_) states.push_back(DiskStateLocked(*disk, SenderStatusLocked(*disk)));
  return AgentStateName(states);
}

bool ReplicationManager::AnyLocked(bool Disk::*flag) const {
  return std::any_of(disks_.begin(), disks_.end(), [&](const auto& disk) { return (*disk).*flag; });
}

// Only a disk whose full copy reached the shadow has a backlog that a restart sends; before that it has a sync
// to finish, and its acked seq is not known.
void ReplicationManager::MeasureBacklogLocked(Disk& disk, DiskReplicationStatus* d) {
  if (!disk.memory.full_sync_done || !disk.memory.acked_seq || !disk.memory.error.empty()) return;
  if (!disk.backlog) disk.backlog.emplace(disk.stack->journal().dir());
  auto backlog = disk.backlog->Measure(*disk.memory.acked_seq, d->journal_seq);
  if (!backlog.ok()) {
    spdlog::warn("replication {}: backlog unknown: {}", disk.stack->name(), backlog.status().ToString());
    return;
  }
  d->backlog_known = true;
  d->backlog_writes = backlog->writes;
  d->backlog_bytes = backlog->bytes;
  if (backlog->writes > 0) {
    const int64_t age_ns = NowUnixNanos() - static_cast<int64_t>(backlog->oldest_time_ns);
    d->backlog_age_seconds = std::max<double>(0, age_ns / 1e9);
  }
}

Status ReplicationManager::SaveLocked() {
  for (const auto& disk : disks_) desired_.disks[disk->stack->name()] = disk->memory;
  return SaveDesiredReplication(DesiredReplicationPath(options_.state_dir), desired_);
}

Status ReplicationManager::Start(const ReplicationTarget& target) {
  std::lock_guard command(command_mutex_);
  if (shut_down_) return FailedPrecondition("the agent is shutting down");
  CDR_RETURN_IF_ERROR(ValidateTarget(target));
  std::string state;
  {
    std::lock_guard lock(mutex_);
    state = StateLocked();
    if (AnyLocked(&Disk::stopping)) {
      return FailedPrecondition("replication is " + state + ": start again once it is stopped");
    }
    if (state != "replication_error" && AnyLocked(&Disk::running)) {
      if (desired_.target && SameTarget(*desired_.target, target)) return Status::Ok();
      return FailedPrecondition("replication is " + state + " to " + desired_.target->shadow_address +
                                " as " + desired_.target->server_id +
                                ": stop it before starting with another target");
    }
    if (state != "initialized" && state != "full_sync_stopped" && state != "realtime_stopped" &&
        state != "replication_error") {
      return FailedPrecondition("replication cannot start from " + state);
    }
  }
  JoinStopper();
  return state == "replication_error" ? RepairTowards(target) : StartDisks(target);
}

Status ReplicationManager::Stop() {
  std::lock_guard command(command_mutex_);
  if (shut_down_) return FailedPrecondition("the agent is shutting down");
  {
    std::lock_guard lock(mutex_);
    if (!AnyLocked(&Disk::running)) return Status::Ok();
  }
  JoinStopper();
  BeginStop("stop requested");
  return Status::Ok();
}

Status ReplicationManager::Restart() {
  std::lock_guard command(command_mutex_);
  if (shut_down_) return FailedPrecondition("the agent is shutting down");
  std::optional<ReplicationTarget> target;
  bool running;
  {
    std::lock_guard lock(mutex_);
    target = desired_.target;
    running = AnyLocked(&Disk::running);
  }
  if (!target) return FailedPrecondition("replication was never started: start it with a target first");
  if (running) {
    JoinStopper();
    BeginStop("restart requested");
  }
  if (stopper_.joinable()) stopper_.join();
  return StartDisks(*target);
}

Status ReplicationManager::Repair() {
  std::lock_guard command(command_mutex_);
  if (shut_down_) return FailedPrecondition("the agent is shutting down");
  ReplicationTarget target;
  {
    std::lock_guard lock(mutex_);
    const std::string state = StateLocked();
    if (AnyLocked(&Disk::stopping) || state != "replication_error") {
      return FailedPrecondition("repair needs replication_error; replication is " + state);
    }
    target = *desired_.target;  // an error is only ever recorded after a start, which persisted the target
    desired_.running = true;
    CDR_RETURN_IF_ERROR(SaveLocked());
  }
  JoinStopper();
  for (auto& disk : disks_) {
    bool running;
    std::string state;
    {
      std::lock_guard lock(mutex_);
      running = disk->running;
      state = DiskStateLocked(*disk, SenderStatusLocked(*disk));
    }
    if (!running) StartDisk(*disk, target, state);
    if (state != "replication_error") continue;
    spdlog::info("replication {}/{}: replication_error → repair_starting (repair requested)",
                 target.server_id, disk->stack->name());
    disk->sender->StartRepair();
  }
  return Status::Ok();
}

Status ReplicationManager::RepairTowards(const ReplicationTarget& target) {
  std::vector<std::string> from;
  {
    std::lock_guard lock(mutex_);
    for (auto& disk : disks_) {
      from.push_back(DiskStateLocked(*disk, SenderStatusLocked(*disk)));
      // A running sender keeps the error it met to itself; its replacement for the new target must start in
      // replication_error with that reason, not as a fresh start.
      if (disk->sender && disk->memory.error.empty() &&
          !(disk->sender_target && SameTarget(*disk->sender_target, target))) {
        const ReplicationStatus s = disk->sender->status();
        if (IsErrorPhase(s.phase)) disk->memory.error = s.last_error.empty() ? kRepairInterrupted : s.last_error;
      }
    }
    if (desired_.target && desired_.target->shadow_address != target.shadow_address) {
      spdlog::info("replication {}: repair towards {} (was {})", target.server_id, target.shadow_address,
                   desired_.target->shadow_address);
    }
    SetTargetLocked(target);
    desired_.running = true;
    CDR_RETURN_IF_ERROR(SaveLocked());
  }
  for (size_t i = 0; i < disks_.size(); ++i) {
    Disk& disk = *disks_[i];
    StartDisk(disk, target, from[i]);
    if (from[i] != "replication_error") continue;
    spdlog::info("replication {}/{}: replication_error → repair_starting (start in error: repair towards {})",
                 target.server_id, disk.stack->name(), target.shadow_address);
    disk.sender->StartRepair();
  }
  return Status::Ok();
}

Status ReplicationManager::StartDisks(const ReplicationTarget& target) {
  CDR_RETURN_IF_ERROR(ValidateTarget(target));
  std::vector<std::string> from;
  {
    std::lock_guard lock(mutex_);
    for (auto& disk : disks_) from.push_back(DiskStateLocked(*disk, SenderStatusLocked(*disk)));
    SetTargetLocked(target);
    desired_.running = true;
    CDR_RETURN_IF_ERROR(SaveLocked());
  }
  for (size_t i = 0; i < disks_.size(); ++i) StartDisk(*disks_[i], target, from[i]);
  return Status::Ok();
}

void ReplicationManager::StartDisk(Disk& disk, const ReplicationTarget& target, const std::string& from) {
  const std::string& name = disk.stack->name();
  std::string error;
  bool reuse;
  bool resync;
  {
    std::lock_guard lock(mutex_);
    error = disk.memory.error;
    // A new sender for a known error, so it starts in replication_error with that reason whatever its
    // predecessor remembered.
    reuse = disk.sender && disk.sender_target && SameTarget(*disk.sender_target, target) && error.empty();
    resync = disk.memory.resync_dirty;
  }
  if (!reuse) {
    std::shared_ptr<ReplicationSender> old;
    if (disk.sender) {
      disk.sender->Stop();
      disk.front->UseSync(nullptr);
      std::lock_guard lock(mutex_);
      const ReplicationStatus s = disk.sender->status();
      disk.base_bytes_sent += s.bytes_sent;
      disk.base_full_sync_bytes += s.full_sync_bytes_sent;
      disk.base_repair_bytes += s.repair_bytes_sent;
      disk.base_repair_compared_bytes += s.repair_compared_bytes;
      old = std::move(disk.sender);
    }
    ReplicationOptions options;
    SplitShadowAddress(target.shadow_address, &options.host, &options.port);  // validated by StartDisks
    options.server_id = target.server_id;
    options.disk = name;
    options.disk_path = disk.path;
    options.epoch = disk.epoch;
    options.tls = options_.shadow_tls;
    options.rate_bytes_per_second = target.rate_bytes_per_second;
    options.outage_window = std::chrono::seconds(target.outage_window_seconds);
    options.auto_restart = target.auto_restart;
    options.initial_error = error;
    options.compare_first = target.compare_first;
    if (target.compare_first) {
      std::optional<uint64_t> production_seq;
      if (auto seq = target.production_seqs.find(name); seq != target.production_seqs.end()) {
        production_seq = seq->second;
      }
      options.seed_scope =
          target.production_seqs.empty()
              ? FailoverChangesScope{false, "not a failback into production's own disk", {}, 0}
              : ReadFailoverChanges(disk.path, disk.stack->device()->Size(), production_seq,
                                    options_.state_dir / name / "failover_changes_claim.json");
      options.own_bitmap = &disk.stack->bitmap();
      spdlog::info("replication {}: seeded compare of {}: {}", name,
                   options.seed_scope.usable ? "the changed blocks" : "the whole disk",
                   options.seed_scope.why);
    }
    // After an unclean host shutdown the journal may miss writes that reached the disk: no repair resumes.
    options.journal_complete_at_start = !disk.stack->needs_repair();
    if (resync) options.resync_bitmap = &disk.stack->bitmap();
    options.clear_bitmap = &disk.stack->bitmap_layer();
    options.bitmap_clear_interval = options_.bitmap_clear_interval;
    BlockDevice* device = disk.stack->device();
    auto sender = std::make_unique<ReplicationSender>(options, &disk.stack->journal(), device->Size(),
                                                      device->BlockSize());
    if (target.sync_mode) {
      disk.front->UseSync(std::make_unique<SyncReplicationDevice>(name, device, &disk.stack->journal(),
                                                                  sender.get(), options_.sync_ack_timeout));
    }
    std::lock_guard lock(mutex_);
    disk.sender = std::move(sender);
    disk.sender_target = target;
  }
  {
    std::lock_guard lock(mutex_);
    disk.running = true;
    const char* to = !error.empty() ? "replication_error" : resync ? "repair_starting" : "replication_starting";
    spdlog::info("replication {}/{}: {} → {} (start to {}, {} mode{})", target.server_id, name, from, to,
                 target.shadow_address, target.sync_mode ? "sync" : "async",
                 !error.empty() ? ", repair due: " + error
                 : resync       ? ", resync of the dirty blocks due after an agent crash"
                                : "");
  }
  disk.sender->Start();
}

void ReplicationManager::BeginStop(const std::string& reason) {
  {
    std::lock_guard lock(mutex_);
    for (auto& disk : disks_) {
      if (!disk->running) continue;
      const std::string from = DiskStateLocked(*disk, disk->sender->status());
      disk->stopping_from_error =
          from == "replication_error" || from == "repair_starting" || from == "repairing";
      disk->running = false;
      disk->stopping = true;
      spdlog::info("replication {}/{}: {} → {} ({})", desired_.target->server_id, disk->stack->name(), from,
                   DiskStateLocked(*disk, disk->sender->status()), reason);
    }
    desired_.running = false;
    if (Status s = SaveLocked(); !s.ok()) spdlog::error("replication: {}", s.ToString());
  }
  stopper_ = std::thread([this] { StopSenders(); });
}

void ReplicationManager::JoinStopper() {
  if (stopper_.joinable()) stopper_.join();
}

void ReplicationManager::StopSenders() {
  for (auto& disk : disks_) {
    bool stopping;
    {
      std::lock_guard lock(mutex_);
      stopping = disk->stopping;
    }
    if (stopping) StopDisk(*disk);
  }
  std::lock_guard lock(mutex_);
  if (Status s = SaveLocked(); !s.ok()) spdlog::error("replication: {}", s.ToString());
}

void ReplicationManager::StopDisk(Disk& disk) {
  ReplicationStatus before;
  {
    std::lock_guard lock(mutex_);
    before = disk.sender->status();
  }
  disk.sender->Stop();
  std::lock_guard lock(mutex_);
  const ReplicationStatus after = disk.sender->status();
  DiskReplicationMemory& memory = disk.memory;
  if (IsErrorPhase(before.phase) || disk.stopping_from_error) {
    if (!before.last_error.empty()) {
      memory.error = before.last_error;
    } else if (memory.error.empty()) {
      memory.error = kRepairInterrupted;
    }
  } else if (before.phase == ReplicationPhase::kRealtime) {
    memory.error.clear();
  }
  if (before.full_sync_done || after.full_sync_done || before.phase == ReplicationPhase::kRealtime) {
    memory.full_sync_done = true;
  } else if (before.phase == ReplicationPhase::kFullSync) {
    memory.full_sync_done = false;
  }
  memory.acked_seq = std::max(memory.acked_seq.value_or(0), after.acked_seq);
  disk.running = false;
  disk.stopping = false;
  disk.stopping_from_error = false;
  spdlog::info("replication {}/{}: stopped → {}", disk.sender_target ? disk.sender_target->server_id : "",
               disk.stack->name(), DiskStateLocked(disk, after));
}

}  // namespace cdr::agent
