// Writing what refresh and apply observe of an agent into the server's state record: the state-machine state
// the agent reports, and the observed attributes (progress, RPO, bytes, link, NBD address) under "observed".
// The state serial does not change: observations are not changes a saved plan must be checked against.
#pragma once

#include <nlohmann/json.hpp>

#include "agent/replication_control.h"
#include "common/status.h"
#include "reconcile/refresh.h"
#include "state/state_store.h"

namespace cdr::reconcile {

// {"state", "progress_percent", "lag_seconds", "bytes_sent", "size_bytes", "link_up", "nbd_address",
//  "last_error", "observed_at", "disks": [{"disk", "state", "progress_percent", "size_bytes", "lag_seconds"}]}
nlohmann::json ObservedAttributes(const agent::AgentStatus& status);
// Progress of the whole server: disks weighted by size.
double OverallProgress(const agent::AgentStatus& status);
std::string FirstDiskError(const agent::AgentStatus& status);

// Copies the agent's state and observed attributes into `record` (status included); true when the state changed.
bool MergeObservation(const agent::AgentStatus& status, state::ResourceRecord* record);

// For each server the agents answered for: writes the merge and, when the state moved, a job "observe" with the
// transition as its event (the agent moved by itself: a sync finished, a link outage became an error, …).
Status RecordObserved(state::StateStore& store, const Observed& observed);

}  // namespace cdr::reconcile
