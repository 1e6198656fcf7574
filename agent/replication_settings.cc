// The agent's live settings (ReplicationControl::SetSettings, POST /v1/settings): sync mode, replication
// rate, outage window and journal cap, changed in any state without a resync and persisted with the desired
// state.
#include <spdlog/spdlog.h>

#include "agent/replication_manager.h"

namespace cdr::agent {
namespace {

std::string Describe(const AgentSettings& s) {
  return std::string(s.sync_mode ? "sync" : "async") + ", rate " +
         (s.rate_bytes_per_second == 0 ? std::string("unlimited")
                                       : std::to_string(s.rate_bytes_per_second) + " B/s") +
         ", outage window " + std::to_string(s.outage_window_seconds) + " s, journal cap " +
         std::to_string(s.journal_max_bytes) + " B";
}

}  // namespace

void ReplicationManager::InitSettingsLocked() {
  AgentSettings settings;
  if (!disks_.empty()) settings.journal_max_bytes = disks_.front()->stack->journal().max_bytes();
  if (desired_.target) {
    settings.sync_mode = desired_.target->sync_mode;
    settings.rate_bytes_per_second = desired_.target->rate_bytes_per_second;
    settings.outage_window_seconds = desired_.target->outage_window_seconds;
  }
  // Persisted settings win over the flags: they are what cdr (or an operator) set last.
  if (desired_.settings) settings = *desired_.settings;
  desired_.settings = settings;
  for (auto& disk : disks_) disk->stack->journal().set_max_bytes(settings.journal_max_bytes);
}

void ReplicationManager::SetTargetLocked(const ReplicationTarget& target) {
  desired_.target = target;
  AgentSettings& settings = *desired_.settings;
  settings.sync_mode = target.sync_mode;
  settings.rate_bytes_per_second = target.rate_bytes_per_second;
  settings.outage_window_seconds = target.outage_window_seconds;
}

Status ReplicationManager::SetSettings(const SettingsUpdate& update) {
  if (update.outage_window_seconds && *update.outage_window_seconds <= 0) {
    return InvalidArgument("outage_window_seconds must be > 0, got " +
                           std::to_string(*update.outage_window_seconds));
  }
  if (update.journal_max_bytes && *update.journal_max_bytes == 0) {
    return InvalidArgument("journal_max_bytes must be > 0");
  }
  std::lock_guard command(command_mutex_);
  if (shut_down_) return FailedPrecondition("the agent is shutting down");
  AgentSettings before;
  AgentSettings after;
  {
    std::lock_guard lock(mutex_);
    before = *desired_.settings;
    after = before;
    if (update.sync_mode) after.sync_mode = *update.sync_mode;
    if (update.rate_bytes_per_second) after.rate_bytes_per_second = *update.rate_bytes_per_second;
    if (update.outage_window_seconds) after.outage_window_seconds = *update.outage_window_seconds;
    if (update.journal_max_bytes) after.journal_max_bytes = *update.journal_max_bytes;
    desired_.settings = after;
    // The stored target (and each sender's) follows, so a later start with the same values reuses the senders
    // instead of counting as another target.
    auto follow = [&](ReplicationTarget& t) {
      t.sync_mode = after.sync_mode;
      t.rate_bytes_per_second = after.rate_bytes_per_second;
      t.outage_window_seconds = after.outage_window_seconds;
    };
    if (desired_.target) follow(*desired_.target);
    for (auto& disk : disks_) {
      if (disk->sender_target) follow(*disk->sender_target);
      if (disk->sender) {
        disk->sender->SetLimits(after.rate_bytes_per_second,
                                std::chrono::seconds(after.outage_window_seconds));
      }
      disk->stack->journal().set_max_bytes(after.journal_max_bytes);
    }
    CDR_RETURN_IF_ERROR(SaveLocked());
  }
  // Outside mutex_: UseSync waits for the writes in flight, which may wait for an ack.
  if (after.sync_mode != before.sync_mode) {
    for (auto& disk : disks_) {
      std::shared_ptr<ReplicationSender> sender;
      {
        std::lock_guard lock(mutex_);
        sender = disk->sender;
      }
      if (!sender) continue;  // the first start builds the front for the mode
      disk->front->UseSync(after.sync_mode
                               ? std::make_unique<SyncReplicationDevice>(
                                     disk->stack->name(), disk->stack->device(), &disk->stack->journal(),
                                     sender.get(), options_.sync_ack_timeout)
                               : nullptr);
    }
  }
  spdlog::info("replication: settings changed live: {} → {}", Describe(before), Describe(after));
  return Status::Ok();
}

}  // namespace cdr::agent
