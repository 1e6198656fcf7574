// How the manager names a disk's state and the agent's (docs/state-machine.md), without processes.
#include <gtest/gtest.h>

#include "agent/replication_state_names.h"

namespace cdr::agent {
namespace {

TEST(ReplicationStateNamesTest, DiskStates) {
  DiskLifecycle never;
  EXPECT_EQ(DiskStateName(never, std::nullopt), "initialized");

  DiskLifecycle running{.has_target = true, .running = true};
  EXPECT_EQ(DiskStateName(running, std::nullopt), "replication_starting");
  EXPECT_EQ(DiskStateName(running, ReplicationPhase::kStopped), "replication_starting");
  EXPECT_EQ(DiskStateName(running, ReplicationPhase::kFullSync), "full_sync");
  EXPECT_EQ(DiskStateName(running, ReplicationPhase::kRealtime), "realtime");
  EXPECT_EQ(DiskStateName(running, ReplicationPhase::kError), "replication_error");
  EXPECT_EQ(DiskStateName(running, ReplicationPhase::kRepairStarting), "repair_starting");
  EXPECT_EQ(DiskStateName(running, ReplicationPhase::kRepairing), "repairing");

  DiskLifecycle stopping{.has_target = true, .stopping = true};
  EXPECT_EQ(DiskStateName(stopping, ReplicationPhase::kFullSync), "full_sync_stopping");
  stopping.full_sync_done = true;
  EXPECT_EQ(DiskStateName(stopping, ReplicationPhase::kRealtime), "realtime_stopping");
  stopping.stopping_from_error = true;
  EXPECT_EQ(DiskStateName(stopping, ReplicationPhase::kRepairing), "replication_error");

  DiskLifecycle stopped{.has_target = true};
  EXPECT_EQ(DiskStateName(stopped, ReplicationPhase::kStopped), "full_sync_stopped");
  stopped.full_sync_done = true;
  EXPECT_EQ(DiskStateName(stopped, std::nullopt), "realtime_stopped");
  stopped.repair_due = true;
  EXPECT_EQ(DiskStateName(stopped, ReplicationPhase::kStopped), "replication_error");
}

TEST(ReplicationStateNamesTest, TheAgentIsItsLeastAdvancedDiskAndAnErrorWins) {
  EXPECT_EQ(AgentStateName({}), "initialized");
  EXPECT_EQ(AgentStateName({"realtime", "full_sync"}), "full_sync");
  EXPECT_EQ(AgentStateName({"realtime", "replication_starting"}), "replication_starting");
  EXPECT_EQ(AgentStateName({"realtime_stopped", "full_sync_stopped"}), "full_sync_stopped");
  EXPECT_EQ(AgentStateName({"full_sync_stopped", "full_sync_stopping"}), "full_sync_stopping");
  EXPECT_EQ(AgentStateName({"realtime", "repairing"}), "repairing");
  EXPECT_EQ(AgentStateName({"initialized", "replication_error", "realtime"}), "replication_error");
}

}  // namespace
}  // namespace cdr::agent
