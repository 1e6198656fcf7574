// The group overview of `cdr status` (CT-CDR's 保护组概览): per group, servers by health; per server, its state,
// replication phase, progress and RPO, and where its data is (NBD exports, shadow host, replica files).
// Built from the state store, overlaid with what the agents report right now when a refresh could ask them
// (`live`). What could not be observed now is never shown as fine: a server whose agent did not answer has
// health `unknown` (or `error` when its agent is not running), and its RPO is the growing age of the last
// moment its replica was known good, marked as not live.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reconcile/observed_state.h"
#include "reconcile/refresh.h"
#include "reconcile/server_state.h"
#include "reconcile/verify_summary.h"
#include "state/state_store.h"

namespace cdr::reconcile {

// A drill or failover DR host of a server, as the last apply left it.
struct DrHostStatus {
  std::string purpose;  // drill | failover
  std::string name;
  std::string id;
  std::string state;    // the record's: creating | created | deleting
  std::string recovery_point;  // as the spec asked
  std::string point_id;        // what it resolved to ("" for a time between points)
  int64_t point_time_ns = 0;
  std::string nbd_address;  // where it serves now when `live`; else as recorded at the last apply
  std::string nbd_tls_dir;  // the client certificates its exports want (providers::DrHost); empty: plain
  std::vector<std::string> disks;
  bool standalone = false;
  nlohmann::json verification;  // {kind, result, detail, checked_at}, or null
  bool live = false;  // the provider described it for this status (address and running are observed now)
  bool running = false;  // with `live`: it serves its disks
};

struct ServerStatus {
  std::string address;
  std::string name;
  std::string host;
  std::string state;
  std::string replication;  // desired: running | stopped
  Health health = Health::kNotReplicating;
  double rpo_seconds = -1;  // unknown until the data plane reports it
  bool rpo_live = false;    // rpo_seconds is the agent's word now; else an upper bound from the last observation
  std::string last_error;
  std::string health_reason;  // why health is error or unknown when no state explains it
  std::string phase;  // none | scan | full_sync | realtime | stopped | repair | error
  double progress_percent = -1;  // of a full sync or repair; -1 when none is under way
  uint64_t bytes_sent = 0;       // replication stream bytes since the agent started (full sync, realtime, repair)
  uint64_t full_sync_bytes_sent = 0;  // disk bytes of those sent by full syncs (live only)
  uint64_t repair_bytes_sent = 0;     // disk bytes of those sent by repairs (live only)
  std::string agent_version;  // the agent's release as it reported it live (GET /v1/status); empty: unknown
  std::optional<ServerBacklog> backlog;  // writes not sent while replication is stopped (live only)
  int64_t observed_at_ms = 0;  // when the stored observation was made (0: never)
  bool asked = false;         // a refresh asked the agents (a live view was given)
  bool live = false;          // state, phase, progress and RPO come from the agent now, not from the state
  std::string agent_status;   // running | stopped | "" (unknown)
  std::string api_address;
  std::string nbd_address;
  std::string nbd_tls_dir;         // the client certificates its exports want (providers::Agent); empty: plain
  std::vector<std::string> disks;  // export names: vda, …
  std::string shadow_host_id;
  std::string replication_address;
  std::string replica_dir;
  std::string replica_server_id;  // whose replicas: the host's, or during a failback the reverse agent's DR host
  std::string observe_error;  // why the agent did not answer
  bool fenced = false;        // production refuses writes (failed over); the agent's word when it answered
  std::optional<VerifySummary> verify;  // the online verify, from a live answer only
  // The agent's settings in effect (reconcile/agent_settings.h), from a live answer only; else "unknown".
  nlohmann::json agent_settings = "unknown";
  // The last failback, as its step recorded it: {dr_host, at, reverse_bytes_sent, reverse_repair_bytes_sent,
  // reverse_full_sync_bytes_sent} (what reverse replication sent in all), or null.
  nlohmann::json failback;
  std::vector<DrHostStatus> dr_hosts;
};

// REPLICA_DIR/<server id>/<disk>.img, as cdr-shadow keeps it (shadow/replica_disk.h).
std::string ReplicaPath(const std::string& replica_dir, const std::string& server_id, const std::string& disk);
const char* PhaseOf(const std::string& state);

struct GroupStatus {
  std::string name;
  std::string production_zone;
  std::string dr_zone;
  std::string vpc;
  int rpo_alert_seconds = 0;
  std::string peering_id;
  std::string endpoint_id;
  int error = 0, healthy = 0, not_replicating = 0, rpo_high = 0, unknown = 0;
  std::vector<ServerStatus> servers;
};

// `now_ms` ages the stored observations of servers that could not be observed live.
std::vector<GroupStatus> BuildStatus(const std::vector<state::ResourceRecord>& records,
                                     const Observed* live = nullptr, int64_t now_ms = 0);
// A verification the state records as running while no live apply holds the lock was cut short with its apply:
// it is shown as "interrupted" (the next apply runs it again), not as running.
void MarkInterruptedVerifications(std::vector<GroupStatus>* groups);
std::string RenderStatusText(const std::vector<GroupStatus>& groups);
nlohmann::json StatusToJson(const std::vector<GroupStatus>& groups);

}  // namespace cdr::reconcile
