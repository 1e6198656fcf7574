#include "reconcile/desired.h"

#include "reconcile/address.h"

namespace cdr::reconcile {

std::vector<DesiredResource> ExpandSpec(const specs::Spec& spec) {
  std::vector<DesiredResource> out;
  for (const auto& g : spec.groups) {
    DesiredResource group{GroupAddress(g.name), "group",
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
    DesiredResource peering{PeeringAddress(g.name), "peering",
                            {{"vpc", g.vpc}, {"production_zone", g.production_zone}, {"dr_zone", g.dr_zone}},
                            {"vpc", "production_zone", "dr_zone"}};
    peering.group = &g;
    out.push_back(std::move(peering));
    DesiredResource endpoint{EndpointAddress(g.name), "endpoint", {{"vpc", g.vpc}, {"zone", g.dr_zone}},
                             {"vpc", "zone"}};
    endpoint.group = &g;
    out.push_back(std::move(endpoint));

    for (const auto& s : g.servers) {
      DesiredResource server{ServerAddress(g.name, s.name), "server",
                             {{"name", s.name},
                              {"host", s.host},
                              {"replication", specs::ReplicationName(s.replication)},
                              {"dr_disk_type", s.dr_disk_type},
                              {"auto_restart", s.auto_restart},
                              {"recovery_points",
                               {{"every_hours", s.recovery_points.every_hours},
                                {"keep", s.recovery_points.keep}}}},
                             {"host"}};
      server.group = &g;
      server.server = &s;
      out.push_back(std::move(server));
    }
  }
  return out;
}

}  // namespace cdr::reconcile
