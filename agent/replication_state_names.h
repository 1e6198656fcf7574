// The docs/state-machine.md state names of the agent's replication, from what the ReplicationManager knows about a
// disk (its run flags and what it remembers) and what the disk's sender says. Pure functions, so every
// mapping can be tested without a shadow.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/replication_sender.h"

namespace cdr::agent {

struct DiskLifecycle {
  bool has_target = false;           // a start was ever requested (the target is persisted)
  bool running = false;              // started and not (being) stopped
  bool stopping = false;             // a stop is under way
  bool stopping_from_error = false;  // that stop began in replication_error or during a repair
  bool full_sync_done = false;       // the shadow has (had) the full copy
  bool repair_due = false;           // an error is remembered: the replica must be repaired
};

// `phase`: the sender's, when the disk has a sender.
std::string DiskStateName(const DiskLifecycle& disk, std::optional<ReplicationPhase> phase);
// The agent's state: its least advanced disk's, a replication_error winning; "initialized" without disks.
std::string AgentStateName(const std::vector<std::string>& disk_states);
bool IsErrorPhase(ReplicationPhase phase);  // kError or a repair under way

}  // namespace cdr::agent
