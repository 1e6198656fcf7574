// Writing what refresh and apply observe of an agent into the server's state record: the state-machine state
// the agent reports, and the observed attributes (progress, RPO, bytes, link, NBD address) under "observed".
// The state serial does not change: observations are not changes a saved plan must be checked against.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/replication_control.h"
#include "common/status.h"
#include "reconcile/refresh.h"
#include "state/state_store.h"

namespace cdr::reconcile {

// {"state", "progress_percent", "lag_seconds", "bytes_sent", "full_sync_bytes_sent", "repair_bytes_sent",
//  "size_bytes", "link_up", "nbd_address", "last_error", "observed_at", "replicated_through" (when known),
//  "backlog" (when known), "agent_settings" (the agent's settings in effect, or "unknown"), "disks":
//  [{"disk", "state", "progress_percent", "size_bytes", "lag_seconds"}]}
// observed_at and replicated_through are Unix milliseconds.
nlohmann::json ObservedAttributes(const agent::AgentStatus& status, int64_t observed_at_ms);
// The RPO the agent's answer proves: in realtime the age of the oldest unacknowledged write; with replication
// stopped the age of the oldest write not sent (when the agent knows its backlog). -1 when there is no
// consistent replica to speak of (full sync, repair, error) or the backlog is unknown.
double LiveRpoSeconds(const agent::AgentStatus& status);
// The writes a stopped agent holds for the shadow host, summed over its disks; nullopt when unknown.
struct ServerBacklog {
  uint64_t writes = 0;
  uint64_t bytes = 0;
  double age_seconds = 0;
};
std::optional<ServerBacklog> BacklogOf(const agent::AgentStatus& status);
// Progress of the whole server: disks weighted by size.
double OverallProgress(const agent::AgentStatus& status);
std::string FirstDiskError(const agent::AgentStatus& status);

// The attributes without what MergeObservation adds ("observed", "rpo_seconds"): what a plan shows of the state.
nlohmann::json WithoutObservations(const nlohmann::json& attributes);

// Copies the agent's state and observed attributes into `record` (status included); true when the state changed.
bool MergeObservation(const agent::AgentStatus& status, state::ResourceRecord* record);

// A server record with the agent's observation merged in; `from` is the state the record held before.
struct ObservedChange {
  state::ResourceRecord record;
  std::string from;
};
// For each server the agents answered for (and whose state the agent decides): the record with the merge.
// Pure: the records are copies, nothing is written.
std::vector<ObservedChange> MergeObserved(const std::vector<state::ResourceRecord>& records,
                                          const Observed& observed);
// Writes the merges and, for a state that moved, a job "observe" with the transition as its event (the agent
// moved by itself: a sync finished, a link outage became an error, …). A record whose state moved since it was
// read is left alone. Only commands that hold the lock and
// act (apply, apply -refresh-only) call it: plan and drift show, they do not record.
Status RecordObserved(state::StateStore& store, const std::vector<ObservedChange>& changes);

}  // namespace cdr::reconcile
