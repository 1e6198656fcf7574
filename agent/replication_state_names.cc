#include "agent/replication_state_names.h"

#include <algorithm>
#include <array>

namespace cdr::agent {

const char* ReplicationPhaseName(ReplicationPhase phase) {
  switch (phase) {
    case ReplicationPhase::kReplicationStarting:
      return "replication_starting";
    case ReplicationPhase::kFullSync:
      return "full_sync";
    case ReplicationPhase::kRealtime:
      return "realtime";
    case ReplicationPhase::kStopped:
      return "stopped";
    case ReplicationPhase::kError:
      return "replication_error";
    case ReplicationPhase::kRepairStarting:
      return "repair_starting";
    case ReplicationPhase::kRepairing:
      return "repairing";
  }
  return "unknown";
}

namespace {

// Least advanced first.
constexpr std::array<const char*, 10> kStatesByProgress = {"initialized",        "replication_starting",
                                                           "repair_starting",    "repairing",
                                                           "full_sync_stopping", "full_sync_stopped",
                                                           "full_sync",          "realtime_stopping",
                                                           "realtime_stopped",   "realtime"};

size_t Rank(const std::string& state) {
  const auto it = std::find(kStatesByProgress.begin(), kStatesByProgress.end(), state);
  return static_cast<size_t>(it - kStatesByProgress.begin());
}

const char* RunningStateName(ReplicationPhase phase) {
  switch (phase) {
    case ReplicationPhase::kFullSync:
      return "full_sync";
    case ReplicationPhase::kRealtime:
      return "realtime";
    case ReplicationPhase::kError:
      return "replication_error";
    case ReplicationPhase::kRepairStarting:
      return "repair_starting";
    case ReplicationPhase::kRepairing:
      return "repairing";
    // Started, but the sender's thread has not said anything yet.
    case ReplicationPhase::kReplicationStarting:
    case ReplicationPhase::kStopped:
      return "replication_starting";
  }
  return "replication_starting";
}

}  // namespace

bool IsErrorPhase(ReplicationPhase phase) {
  return phase == ReplicationPhase::kError || phase == ReplicationPhase::kRepairStarting ||
         phase == ReplicationPhase::kRepairing;
}

std::string DiskStateName(const DiskLifecycle& disk, std::optional<ReplicationPhase> phase) {
  if (disk.stopping) {
    // The replica is not consistent until a repair finishes, so stopping one leaves the error.
    if (disk.stopping_from_error) return "replication_error";
    return disk.full_sync_done ? "realtime_stopping" : "full_sync_stopping";
  }
  if (disk.running) return phase ? RunningStateName(*phase) : "replication_starting";
  if (disk.repair_due) return "replication_error";
  if (!disk.has_target) return "initialized";
  return disk.full_sync_done ? "realtime_stopped" : "full_sync_stopped";
}

std::string AgentStateName(const std::vector<std::string>& disk_states) {
  std::string least;
  for (const std::string& state : disk_states) {
    if (state == "replication_error") return state;
    if (least.empty() || Rank(state) < Rank(least)) least = state;
  }
  return least.empty() ? "initialized" : least;
}

}  // namespace cdr::agent
