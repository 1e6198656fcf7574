#include "reconcile/desired.h"

#include "reconcile/address.h"

namespace cdr::reconcile {
namespace {

// The interval as the operator wrote it: every_seconds replaces every_hours, so the plan shows one of them.
nlohmann::json RecoveryPointsAttribute(const specs::RecoveryPointPolicy& p) {
  if (p.every_seconds > 0) return {{"every_seconds", p.every_seconds}, {"keep", p.keep}};
  return {{"every_hours", p.every_hours}, {"keep", p.keep}};
}

std::string VerifyText(const specs::DrillVerify& v) {
  switch (v.kind) {
    case specs::DrillVerify::Kind::kNone: return "";
    case specs::DrillVerify::Kind::kChecksum: return "checksum";
    case specs::DrillVerify::Kind::kFsck: return "fsck";
    case specs::DrillVerify::Kind::kCommand: return "command:" + v.command;
  }
  return "";
}

nlohmann::json DrHostAttributes(const specs::DrHostSpec& h, const specs::ServerSpec& s, const char* purpose) {
  return {{"name", h.name},
          {"purpose", purpose},
          {"server_id", s.host},
          {"flavor", h.flavor},
          {"ip", h.ip},
          {"disk_type", h.disk_type.empty() ? s.dr_disk_type : h.disk_type},
          {"eip", h.eip},
          {"recovery_point", h.recovery_point.text}};
}

// Only the keys the spec sets: the others are the agent's own (reconcile/agent_settings.h).
void AddAgentSettings(const specs::AgentSettingsSpec& a, nlohmann::json* attributes) {
  if (a.replication_mode) (*attributes)["replication_mode"] = *a.replication_mode;
  if (a.replication_rate_mib) (*attributes)["replication_rate_mib"] = *a.replication_rate_mib;
  if (a.outage_window_seconds) (*attributes)["outage_window_seconds"] = *a.outage_window_seconds;
  if (a.journal_max_mib) (*attributes)["journal_max_mib"] = *a.journal_max_mib;
}

}  // namespace

std::vector<DesiredResource> ExpandSpec(const specs::Spec& spec) {
  std::vector<DesiredResource> out;
  for (const auto& g : spec.groups) {
    DesiredResource group{GroupAddress(g.name),
                          ResourceKind::kGroup,
                          {{"name", g.name},
                           {"production_zone", g.production_zone},
                           {"dr_zone", g.dr_zone},
                           {"vpc", g.vpc},
                           {"rpo_alert_seconds", g.rpo_alert_seconds}},
                          {"production_zone", "dr_zone", "vpc"}};
    if (g.renamed_from) group.renamed_from_address = GroupAddress(*g.renamed_from);
    group.group = &g;
    out.push_back(std::move(group));

    // Peering and endpoint are named by the cloud when made; only what they connect is compared.
    DesiredResource peering{PeeringAddress(g.name),
                            ResourceKind::kPeering,
                            {{"vpc", g.vpc}, {"production_zone", g.production_zone}, {"dr_zone", g.dr_zone}},
                            {"vpc", "production_zone", "dr_zone"}};
    peering.group = &g;
    out.push_back(std::move(peering));
    DesiredResource endpoint{EndpointAddress(g.name),
                             ResourceKind::kEndpoint,
                             {{"vpc", g.vpc}, {"zone", g.dr_zone}},
                             {"vpc", "zone"}};
    endpoint.group = &g;
    out.push_back(std::move(endpoint));

    for (const auto& s : g.servers) {
      DesiredResource server{ServerAddress(g.name, s.name),
                             ResourceKind::kServer,
                             {{"name", s.name},
                              {"host", s.host},
                              {"replication", specs::ReplicationName(s.replication)},
                              {"dr_disk_type", s.dr_disk_type},
                              {"auto_restart", s.auto_restart},
                              {"recovery_points", RecoveryPointsAttribute(s.recovery_points)}},
                             {"host"}};
      if (s.renamed_from) server.renamed_from_address = ServerAddress(g.name, *s.renamed_from);
      if (s.agent_version) server.attributes["agent_version"] = *s.agent_version;
      AddAgentSettings(s.agent_settings, &server.attributes);
      server.group = &g;
      server.server = &s;
      const std::string server_address = server.address;
      out.push_back(std::move(server));
      // A changed DR host parameter brings the DR host up again (the plan says so); verify alone is re-run in place.
      if (s.drill) {
        DesiredResource drill{DrillAddress(server_address),
                              ResourceKind::kDrHost,
                              DrHostAttributes(s.drill->host, s, "drill"),
                              {"name", "server_id", "flavor", "ip", "disk_type", "eip", "recovery_point"}};
        drill.attributes["verify"] = VerifyText(s.drill->verify);
        drill.group = &g;
        drill.server = &s;
        out.push_back(std::move(drill));
      }
      if (s.failover) {
        DesiredResource failover{FailoverAddress(server_address),
                                 ResourceKind::kDrHost,
                                 DrHostAttributes(s.failover->host, s, "failover"),
                                 {}};
        failover.attributes["confirm"] = s.failover->confirm;
        // The group's choice as written; diff resolves recovery_point to the one point of the group (group_point.h).
        if (s.failover->from_group) failover.attributes["group_point"] = s.failover->host.recovery_point.text;
        failover.group = &g;
        failover.server = &s;
        out.push_back(std::move(failover));
      }
    }
  }
  return out;
}

}  // namespace cdr::reconcile
