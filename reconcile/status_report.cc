#include "reconcile/status_report.h"

#include <fmt/format.h>

#include <map>

#include "reconcile/address.h"

namespace cdr::reconcile {

std::vector<GroupStatus> BuildStatus(const std::vector<state::ResourceRecord>& records) {
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
    out += fmt::format("  {:<16} {:<16} {:<34} {:<16} {:<8} {}\n", "SERVER", "HOST", "STATE", "HEALTH", "RPO",
                       "NOTE");
    for (const auto& s : g.servers) {
      std::string rpo = s.rpo_seconds < 0 ? "-" : fmt::format("{:.1f}s", s.rpo_seconds);
      std::string note = s.last_error;
      if (note.empty() && s.replication == "running" && s.state == "initialized") {
        note = "replication start arrives with the data plane";
      }
      out += fmt::format("  {:<16} {:<16} {:<34} {:<16} {:<8} {}\n", s.name, s.host,
                         s.state + " " + std::string(OriginalStateName(s.state)), HealthName(s.health), rpo, note);
    }
  }
  return out;
}

nlohmann::json StatusToJson(const std::vector<GroupStatus>& groups) {
  nlohmann::json out = {{"format_version", "1"}, {"groups", nlohmann::json::array()}};
  for (const auto& g : groups) {
    nlohmann::json servers = nlohmann::json::array();
    for (const auto& s : g.servers) {
      servers.push_back({{"address", s.address},
                         {"name", s.name},
                         {"host", s.host},
                         {"state", s.state},
                         {"replication", s.replication},
                         {"health", HealthName(s.health)},
                         {"rpo_seconds", s.rpo_seconds < 0 ? nlohmann::json() : nlohmann::json(s.rpo_seconds)},
                         {"last_error", s.last_error}});
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
