#include "reconcile/status_report.h"

#include <fmt/format.h>

#include <map>

#include "reconcile/address.h"
#include "reconcile/observed_state.h"

namespace cdr::reconcile {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The stored observation (written by the last plan or apply), then the live one on top.
void FillReplication(const state::ResourceRecord& r, const ServerObservation* seen, ServerStatus* s) {
  const nlohmann::json observed = r.attributes.value("observed", nlohmann::json::object());
  s->progress_percent = observed.value("progress_percent", 0.0);
  s->bytes_sent = observed.value("bytes_sent", uint64_t{0});
  s->nbd_address = observed.value("nbd_address", "");
  for (const auto& d : observed.value("disks", nlohmann::json::array())) s->disks.push_back(d.value("disk", ""));
  if (!seen) return;
  if (seen->agent) {
    s->agent_status = seen->agent->status;
    s->api_address = seen->agent->api_address;
    if (!seen->agent->nbd_address.empty()) s->nbd_address = seen->agent->nbd_address;
  }
  if (seen->shadow) {
    s->replication_address = seen->shadow->replication_address;
    s->replica_dir = seen->shadow->replica_dir;
  }
  s->observe_error = seen->status_error;
  if (!seen->status) return;
  const agent::AgentStatus& live = *seen->status;
  s->live = true;
  if (IsKnownServerState(live.state) && !OwnedByCdr(r.status)) s->state = live.state;
  s->progress_percent = OverallProgress(live);
  s->bytes_sent = 0;
  for (const auto& d : live.disks) s->bytes_sent += d.full_sync_bytes_sent + d.repair_bytes_sent;
  s->rpo_seconds = (live.state == "realtime" || live.state == "full_sync") ? live.lag_seconds : -1;
  if (!live.nbd_address.empty()) s->nbd_address = live.nbd_address;
  s->disks.clear();
  for (const auto& d : live.disks) s->disks.push_back(d.disk);
  const std::string error = FirstDiskError(live);
  if (IsErrorState(live.state) && !error.empty()) s->last_error = error;
}

}  // namespace

std::string ReplicaPath(const std::string& replica_dir, const std::string& server_id, const std::string& disk) {
  return replica_dir + "/" + server_id + "/" + disk + ".img";
}

const char* PhaseOf(const std::string& state) {
  if (state == "replication_starting") return "scan";
  if (state == "full_sync" || state == "full_sync_stopping") return "full_sync";
  if (state == "realtime" || state == "realtime_stopping") return "realtime";
  if (EndsWith(state, "_stopped") && state.rfind("reverse_", 0) != 0) return "stopped";
  if (state == "repair_starting" || state == "repairing") return "repair";
  if (state == "replication_error") return "error";
  return "none";
}

std::vector<GroupStatus> BuildStatus(const std::vector<state::ResourceRecord>& records, const Observed* live) {
  std::map<std::string, GroupStatus> groups;
  for (const auto& r : records) {
    if (r.kind != "group") continue;
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
    if (r.kind == "peering") g.peering_id = r.provider_id;
    if (r.kind == "endpoint") g.endpoint_id = r.provider_id;
    if (r.kind != "server") continue;
    ServerStatus s;
    s.address = r.address;
    s.name = LeafName(r.address);
    s.host = r.attributes.value("host", "");
    s.state = r.status;
    s.replication = r.attributes.value("replication", "");
    s.rpo_seconds = r.attributes.value("rpo_seconds", -1.0);
    s.last_error = r.attributes.value("last_error", "");
    const ServerObservation* seen = nullptr;
    if (live) {
      auto it = live->servers.find(r.address);
      if (it != live->servers.end()) seen = &it->second;
    }
    s.asked = live != nullptr;
    FillReplication(r, seen, &s);
    // The server's shadow host and DR hosts, in one pass over the records.
    for (const auto& other : records) {
      if ((other.kind != "shadow_host" && other.kind != "dr_host") || ServerOf(other.address) != r.address) continue;
      const nlohmann::json& a = other.attributes;
      if (other.kind == "shadow_host") {
        s.shadow_host_id = other.provider_id;
        if (s.replica_dir.empty()) s.replica_dir = a.value("replica_dir", "");
        if (s.replication_address.empty()) s.replication_address = a.value("replication_address", "");
        continue;
      }
      const state::ResourceRecord& dr = other;
      s.dr_hosts.push_back({a.value("purpose", ""), a.value("name", ""), dr.provider_id, dr.status,
                            a.value("recovery_point", ""), a.value("point_id", ""), a.value("point_time_ns", int64_t{0}),
                            a.value("nbd_address", ""), a.value("disks", std::vector<std::string>{}),
                            a.value("standalone", false), a.value("verification", nlohmann::json())});
    }
    s.phase = PhaseOf(s.state);
    s.health = ClassifyHealth(s.state, s.rpo_seconds, g.rpo_alert_seconds);
    switch (s.health) {
      case Health::kError: ++g.error; break;
      case Health::kHealthy: ++g.healthy; break;
      case Health::kNotReplicating: ++g.not_replicating; break;
      case Health::kRpoHigh: ++g.rpo_high; break;
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
        if (!d.verification.is_object() || d.verification.value("result", "") != "running") continue;
        d.verification["result"] = "interrupted";
        d.verification["detail"] = "the apply running it stopped before it had a result; the next cdr apply runs it "
                                   "again";
      }
    }
  }
}

namespace {

std::string DrHostUri(const DrHostStatus& d, const std::string& disk) {
  return d.nbd_address.empty() ? "" : "nbd://" + d.nbd_address + "/" + disk;
}

std::string RenderDrHost(const DrHostStatus& d) {
  std::string line = fmt::format("    {} {} ({}, {}) at {}", d.purpose, d.name, d.id.empty() ? "-" : d.id, d.state,
                                 d.point_id.empty() ? d.recovery_point : d.point_id);
  for (const auto& disk : d.disks) line += " " + DrHostUri(d, disk);
  if (d.standalone) line += " [standalone disks]";
  if (d.verification.is_object()) {
    const std::string result = d.verification.value("result", "");
    line += fmt::format("; verify {}: {}", d.verification.value("kind", ""), result);
    // A verdict's detail is in --json and cdr drift; why there is no verdict belongs on the line itself.
    if (result == "interrupted" || result == "error") line += " (" + d.verification.value("detail", "") + ")";
  }
  return line + "\n";
}

}  // namespace

std::string RenderStatusText(const std::vector<GroupStatus>& groups) {
  if (groups.empty()) return "No protection groups in the state. Write a spec and run `cdr apply`.\n";
  std::string out = fmt::format("{:<20} {:<6} {:<6} {:<12} {:>7} {:>6} {:>8} {:>16} {:>9}\n", "GROUP", "PROD",
                                "DR", "VPC", "SERVERS", "ERROR", "HEALTHY", "NOT_REPLICATING", "RPO_HIGH");
  for (const auto& g : groups) {
    out += fmt::format("{:<20} {:<6} {:<6} {:<12} {:>7} {:>6} {:>8} {:>16} {:>9}\n", g.name, g.production_zone,
                       g.dr_zone, g.vpc, g.servers.size(), g.error, g.healthy, g.not_replicating, g.rpo_high);
  }
  for (const auto& g : groups) {
    out += fmt::format("\ngroup {} (peering {}, endpoint {}, RPO alert {}s)\n", g.name,
                       g.peering_id.empty() ? "-" : g.peering_id, g.endpoint_id.empty() ? "-" : g.endpoint_id,
                       g.rpo_alert_seconds);
    if (g.servers.empty()) {
      out += "  (no protected servers)\n";
      continue;
    }
    out += fmt::format("  {:<16} {:<16} {:<34} {:<10} {:>6} {:<16} {:<8} {}\n", "SERVER", "HOST", "STATE", "PHASE",
                       "PROG", "HEALTH", "RPO", "NOTE");
    for (const auto& s : g.servers) {
      std::string rpo = s.rpo_seconds < 0 ? "-" : fmt::format("{:.1f}s", s.rpo_seconds);
      std::string note = s.last_error;
      if (s.agent_status == "stopped") note = "agent stopped" + (note.empty() ? "" : "; " + note);
      if (s.asked && !s.live) {
        note = "(stored state: " + (s.observe_error.empty() ? std::string("agent not answering") : s.observe_error) +
               ")" + (note.empty() ? "" : " " + note);
      }
      if (note.empty() && s.replication == "running" && s.state == "initialized") note = "cdr apply starts replication";
      out += fmt::format("  {:<16} {:<16} {:<34} {:<10} {:>5.1f}% {:<16} {:<8} {}\n", s.name, s.host,
                         s.state + " " + std::string(OriginalStateName(s.state)), s.phase, s.progress_percent,
                         HealthName(s.health), rpo, note);
      for (const auto& d : s.dr_hosts) out += RenderDrHost(d);
    }
  }
  return out;
}

namespace {

nlohmann::json DrHostsToJson(const std::vector<DrHostStatus>& hosts) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : hosts) {
    nlohmann::json uris = nlohmann::json::array();
    for (const auto& disk : d.disks) {
      if (!d.nbd_address.empty()) uris.push_back(DrHostUri(d, disk));
    }
    out.push_back({{"purpose", d.purpose},
                   {"name", d.name},
                   {"id", d.id},
                   {"state", d.state},
                   {"recovery_point", d.recovery_point},
                   {"point_id", d.point_id},
                   {"point_time_ns", d.point_time_ns},
                   {"nbd_address", d.nbd_address},
                   {"nbd_uris", uris},
                   {"standalone", d.standalone},
                   {"verification", d.verification}});
  }
  return out;
}

}  // namespace

nlohmann::json StatusToJson(const std::vector<GroupStatus>& groups) {
  nlohmann::json out = {{"format_version", "1"}, {"groups", nlohmann::json::array()}};
  for (const auto& g : groups) {
    nlohmann::json servers = nlohmann::json::array();
    for (const auto& s : g.servers) {
      nlohmann::json uris = nlohmann::json::array();
      nlohmann::json replicas = nlohmann::json::array();
      for (const auto& disk : s.disks) {
        if (!s.nbd_address.empty()) uris.push_back("nbd://" + s.nbd_address + "/" + disk);
        if (!s.replica_dir.empty()) {
          replicas.push_back({{"disk", disk}, {"path", ReplicaPath(s.replica_dir, s.host, disk)}});
        }
      }
      servers.push_back({{"address", s.address},
                         {"phase", s.phase},
                         {"progress_percent", s.progress_percent},
                         {"bytes_sent", s.bytes_sent},
                         {"live", s.live},
                         {"agent_status", s.agent_status},
                         {"api_address", s.api_address},
                         {"nbd_address", s.nbd_address},
                         {"nbd_uris", uris},
                         {"shadow_host_id", s.shadow_host_id},
                         {"replication_address", s.replication_address},
                         {"replica_dir", s.replica_dir},
                         {"replicas", replicas},
                         {"observe_error", s.observe_error},
                         {"name", s.name},
                         {"host", s.host},
                         {"state", s.state},
                         {"replication", s.replication},
                         {"health", HealthName(s.health)},
                         {"rpo_seconds", s.rpo_seconds < 0 ? nlohmann::json() : nlohmann::json(s.rpo_seconds)},
                         {"last_error", s.last_error},
                         {"dr_hosts", DrHostsToJson(s.dr_hosts)}});
    }
    out["groups"].push_back({{"name", g.name},
                             {"production_zone", g.production_zone},
                             {"dr_zone", g.dr_zone},
                             {"vpc", g.vpc},
                             {"rpo_alert_seconds", g.rpo_alert_seconds},
                             {"peering_id", g.peering_id},
                             {"endpoint_id", g.endpoint_id},
                             {"health", {{"error", g.error},
                                         {"healthy", g.healthy},
                                         {"not_replicating", g.not_replicating},
                                         {"rpo_high", g.rpo_high}}},
                             {"servers", servers}});
  }
  return out;
}

}  // namespace cdr::reconcile
