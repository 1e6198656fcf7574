// `dr_host`: a host (CT-CDR's 容灾云主机) brought up in the DR zone from a recovery point, for a drill or a
// failover; its disks are materialized from the shadow host's history at the chosen point without copying the
// disk. `detach` makes them standalone (failover confirm), `check` verifies them (a drill's checks). The
// type's one home (structs, JSON form, schema, typed calls), as providers/types/host.h describes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "providers/resource_provider.h"
#include "providers/resource_schema.h"

namespace cdr::providers {

struct DrHostRequest {
  std::string client_token;
  std::string name;     // the DR host name from the spec
  std::string purpose;  // "drill" | "failover"
  std::string zone;     // the group's DR zone
  std::string vpc;
  std::string shadow_host_id;  // where the history lives
  std::string server_id;       // the protected server
  std::string flavor;
  std::string ip;  // "dhcp" or an IPv4 address
  std::string disk_type;
  std::string eip;             // "" = none
  std::string recovery_point;  // "latest" | RFC 3339 time | recovery point id
  std::string group;           // cdr's names of the group and server: labels of the DR host's metrics
  std::string server_name;
};

struct DrHost {
  std::string id;  // "dr-XXXXXXXX"
  std::string name;
  std::string purpose;
  std::string zone;
  std::string server_id;
  std::string shadow_host_id;
  std::string flavor;
  std::string ip;
  std::string disk_type;
  std::string eip;
  std::string recovery_point;  // as requested
  std::string point_id;        // the recovery point it resolved to ("" for a time between points)
  int64_t point_time_ns = 0;   // the instant its disks show
  std::string status;          // "running" | "stopped"
  std::string nbd_address;     // "127.0.0.1:PORT"; exports are named after the disks
  std::string nbd_tls_dir;     // as Agent::nbd_tls_dir
  std::vector<std::string> disks;
  bool standalone = false;  // its disks no longer depend on the shadow host (after a confirmed failover)
  std::string group;        // as requested
  std::string server_name;
  std::string metrics_address;  // GET /metrics (Prometheus text, bearer token); empty while stopped
};

// A drill's automatic verification of the disks it brought up.
struct DrHostCheck {
  std::string kind;  // by name: DrCheckKindName (providers/dr_check_kind.h)
  std::string
      command;  // kind "command": run with CDR_DISK=<a disk image at the DR host's point>; exit 0 = pass
};

struct DrHostCheckResult {
  std::string result;  // "passed" | "failed" | "unknown" (nothing to compare with)
  std::string detail;  // what was compared or run, and what came out
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DrHostRequest, client_token, name, purpose, zone, vpc,
                                                shadow_host_id, server_id, flavor, ip, disk_type, eip,
                                                recovery_point, group, server_name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DrHost, id, name, purpose, zone, server_id, shadow_host_id,
                                                flavor, ip, disk_type, eip, recovery_point, point_id,
                                                point_time_ns, status, nbd_address, nbd_tls_dir, disks,
                                                standalone, group, server_name, metrics_address)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DrHostCheck, kind, command)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DrHostCheckResult, result, detail)

namespace types {

TypeSchema DrHostSchema();

// kFailedPrecondition when the point cannot be restored (outside the window, inside a repair, no history).
Result<DrHost> CreateDrHost(ResourceProvider& provider, const DrHostRequest& request);
Result<DrHost> ReadDrHost(ResourceProvider& provider, const std::string& id);  // kNotFound if gone
Status DeleteDrHost(ResourceProvider& provider, const std::string& id);        // a missing one is Ok
// Makes the DR host's disks standalone copies (failover confirm), so the shadow host and its history can go.
Result<DrHost> DetachDrHost(ResourceProvider& provider, const std::string& id);
Result<DrHostCheckResult> CheckDrHost(ResourceProvider& provider, const std::string& id,
                                      const DrHostCheck& check);

}  // namespace types
}  // namespace cdr::providers
