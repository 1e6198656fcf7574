#include "reconcile/status_report.h"

#include <fmt/format.h>

#include <map>

#include "providers/process_status.h"
#include "reconcile/address.h"
#include "reconcile/agent_settings.h"
#include "reconcile/observed_state.h"
#include "reconcile/reverse_states.h"
#include "reconcile/server_state.h"
#include "reconcile/verification_result.h"

namespace cdr::reconcile {
namespace {

// The stored observation (written by the last plan or apply) for what does not change often (addresses,
// disks), then the live one on top. Replication figures are only ever the live ones.
void FillReplication(const state::ResourceRecord& r, const nlohmann::json& observed, const ServerObservation* seen,
                     ServerStatus* s) {
  s->observed_at_ms = observed.value("observed_at", int64_t{0});
  s->nbd_address = observed.value("nbd_address", "");
  s->nbd_tls_dir = observed.value("nbd_tls_dir", "");
  s->fenced = r.attributes.value("fenced", false);
  for (const auto& d : observed.value("disks", nlohmann::json::array())) s->disks.push_back(d.value("disk", ""));
  if (!seen) return;
  if (seen->agent) {
    s->agent_status = seen->agent->status;
    s->api_address = seen->agent->api_address;
    if (!seen->agent->nbd_address.empty()) s->nbd_address = seen->agent->nbd_address;
    s->nbd_tls_dir = seen->agent->nbd_tls_dir;
  }
  if (seen->shadow) {
    s->replication_address = seen->shadow->replication_address;
    s->replica_dir = seen->shadow->replica_dir;
  }
  s->observe_error = seen->status_error;
  if (!seen->status) return;
  const agent::AgentStatus& live = *seen->status;
  s->live = true;
  // During a failback the agent asked is the DR host's; the fence shown stays production's.
  if (!IsReverseAgentState(r.status)) s->fenced = live.fenced;
  if (IsKnownServerState(live.state) && !OwnedByCdr(r.status)) s->state = live.state;
  s->bytes_sent = 0;
  for (const auto& d : live.disks) {
    s->bytes_sent += d.bytes_sent;
    s->full_sync_bytes_sent += d.full_sync_bytes_sent;
    s->repair_bytes_sent += d.repair_bytes_sent;
  }
  // The release that runs is the agent's own word only: not what the state or the provider recorded installing.
  if (!live.version.empty()) s->agent_version = live.version;
  s->rpo_seconds = LiveRpoSeconds(live);
  s->rpo_live = true;
  s->backlog = BacklogOf(live);
  s->verify = SummarizeVerify(live);
  s->agent_settings = AgentSettingsJson(live.settings);
  if (!live.nbd_address.empty()) s->nbd_address = live.nbd_address;
  s->disks.clear();
  for (const auto& d : live.disks) s->disks.push_back(d.disk);
  const std::string error = FirstDiskError(live);
  if (IsErrorState(live.state) && !error.empty()) s->last_error = error;
  if (IsRealtimeState(live.state) && !OwnedByCdr(r.status)) s->last_error.clear();
  // A sync or repair under way, or a full sync stopped part-way, has a progress; nothing else does.
  if (IsOneOf(ParseServerState(s->state),
              {ServerState::kReplicationStarting, ServerState::kFullSync, ServerState::kFullSyncStopping,
               ServerState::kRepairStarting, ServerState::kRepairing, ServerState::kFullSyncStopped})) {
    s->progress_percent = OverallProgress(live);
  }
}

// Health from a live answer, or, without one, only what can be said for certain.
void Classify(const nlohmann::json& observed, const ServerObservation* seen, int rpo_alert_seconds, int64_t now_ms,
              ServerStatus* s) {
  if (s->live) {
    s->health = ClassifyHealth(s->state, s->rpo_seconds, rpo_alert_seconds);
    bool link_up = true;
    for (const auto& d : seen->status->disks) link_up = link_up && d.link_up;
    if (!link_up && IsReplicatingState(s->state) && s->health != Health::kError) {
      s->health = Health::kError;
      s->health_reason = "replication link down: the shadow host does not answer";
    }
    return;
  }
  s->health = ClassifyUnobserved(s->state);
  if (providers::ParseProcessStatus(s->agent_status) == providers::ProcessStatus::kStopped) {
    if (IsReplicatingState(s->state)) s->health = Health::kError;
    s->health_reason = "agent not running: nothing is replicated";
  } else if (!seen) {
    s->health_reason = "not observed live";
  } else {
    s->health_reason = s->observe_error.empty() ? "agent not answering" : s->observe_error;
  }
  // The replica was last known good at `replicated_through`; every second since may hold unsent writes.
  if (observed.contains("replicated_through") && now_ms > 0) {
    s->rpo_seconds = std::max<double>(0, (now_ms - observed.value("replicated_through", int64_t{0})) / 1000.0);
  }
}

}  // namespace

std::string ReplicaPath(const std::string& replica_dir, const std::string& server_id, const std::string& disk) {
  return replica_dir + "/" + server_id + "/" + disk + ".img";
}

const char* PhaseOf(const std::string& state) {
  const std::optional<ServerState> parsed = ParseServerState(state);
  if (!parsed) return "none";
  switch (*parsed) {
    case ServerState::kReplicationStarting:
      return "scan";
    case ServerState::kFullSync:
    case ServerState::kFullSyncStopping:
      return "full_sync";
    case ServerState::kRealtime:
    case ServerState::kRealtimeStopping:
      return "realtime";
    case ServerState::kFullSyncStopped:
    case ServerState::kRealtimeStopped:
      return "stopped";
    case ServerState::kRepairStarting:
    case ServerState::kRepairing:
      return "repair";
    case ServerState::kReplicationError:
      return "error";
    default:
      return "none";
  }
}

std::vector<GroupStatus> BuildStatus(const std::vector<state::ResourceRecord>& records, const Observed* live,
                                     int64_t now_ms) {
  std::map<std::string, GroupStatus> groups;
  for (const auto& r : records) {
    if (r.kind != ResourceKind::kGroup) continue;
    GroupStatus& g = groups[GroupOf(r.address)];
    g.name = GroupOf(r.address);
    g.production_zone = r.attributes.value("production_zone", "");
    g.dr_zone = r.attributes.value("dr_zone", "");
    g.vpc = r.attributes.value("vpc", "");
    g.rpo_alert_seconds = r.attributes.value("rpo_alert_seconds", 0);
  }
  for (const auto& r : records) {
    auto it = groups.find(GroupOf(r.address));
    if (it == groups.end()) continue;
    GroupStatus& g = it->second;
    if (r.kind == ResourceKind::kPeering) g.peering_id = r.provider_id;
    if (r.kind == ResourceKind::kEndpoint) g.endpoint_id = r.provider_id;
    if (r.kind != ResourceKind::kServer) continue;
    ServerStatus s;
    s.address = r.address;
    s.name = LeafName(r.address);
    s.host = r.attributes.value("host", "");
    s.replica_server_id = IsReverseAgentState(r.status) ? r.attributes.value("reverse_agent", s.host) : s.host;
    s.state = r.status;
    s.replication = r.attributes.value("replication", "");
    s.last_error = r.attributes.value("last_error", "");
    s.failback = r.attributes.value("failback", nlohmann::json());
    const ServerObservation* seen = nullptr;
    if (live) {
      auto it = live->servers.find(r.address);
      if (it != live->servers.end()) seen = &it->second;
    }
    s.asked = live != nullptr;
    const nlohmann::json observed = r.attributes.value("observed", nlohmann::json::object());
    FillReplication(r, observed, seen, &s);
    // The server's shadow host and DR hosts, in one pass over the records.
    for (const auto& other : records) {
      if ((other.kind != ResourceKind::kShadowHost && other.kind != ResourceKind::kDrHost) ||
          ServerOf(other.address) != r.address)
        continue;
      const nlohmann::json& a = other.attributes;
      if (other.kind == ResourceKind::kShadowHost) {
        s.shadow_host_id = other.provider_id;
        if (s.replica_dir.empty()) s.replica_dir = a.value("replica_dir", "");
        if (s.replication_address.empty()) s.replication_address = a.value("replication_address", "");
        continue;
      }
      const state::ResourceRecord& dr = other;
      s.dr_hosts.push_back({a.value("purpose", ""), a.value("name", ""), dr.provider_id, dr.status,
                            a.value("recovery_point", ""), a.value("point_id", ""), a.value("point_time_ns", int64_t{0}),
                            a.value("nbd_address", ""), a.value("nbd_tls_dir", ""),
                            a.value("disks", std::vector<std::string>{}),
                            a.value("standalone", false), a.value("verification", nlohmann::json())});
      // A DR host restarted since the apply (`cdr local up`, a reboot) serves at another address: the live one.
      if (live != nullptr) {
        if (auto seen_host = live->dr_hosts.find(dr.address); seen_host != live->dr_hosts.end()) {
          DrHostStatus& shown = s.dr_hosts.back();
          shown.live = true;
          shown.running = providers::ProcessStatusOf(seen_host->second) == providers::ProcessStatus::kRunning;
          shown.nbd_address = shown.running ? seen_host->second.nbd_address : "";
          shown.nbd_tls_dir = seen_host->second.nbd_tls_dir;
          if (!seen_host->second.disks.empty()) shown.disks = seen_host->second.disks;
        }
      }
    }
    s.phase = PhaseOf(s.state);
    Classify(observed, seen, g.rpo_alert_seconds, now_ms, &s);
    switch (s.health) {
      case Health::kError: ++g.error; break;
      case Health::kHealthy: ++g.healthy; break;
      case Health::kNotReplicating: ++g.not_replicating; break;
      case Health::kRpoHigh: ++g.rpo_high; break;
      case Health::kUnknown: ++g.unknown; break;
    }
    g.servers.push_back(std::move(s));
  }
  std::vector<GroupStatus> out;
  for (auto& [name, g] : groups) out.push_back(std::move(g));
  return out;
}

void MarkInterruptedVerifications(std::vector<GroupStatus>* groups) {
  for (auto& g : *groups) {
    for (auto& s : g.servers) {
      for (auto& d : s.dr_hosts) {
        if (!d.verification.is_object() ||
            ParseVerificationResult(d.verification.value("result", "")) != VerificationResult::kRunning) {
          continue;
        }
        d.verification["result"] = VerificationResultName(VerificationResult::kInterrupted);
        d.verification["detail"] = "the apply running it stopped before it had a result; the next cdr apply runs it "
                                   "again";
      }
    }
  }
}

}  // namespace cdr::reconcile
