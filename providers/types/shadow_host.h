// `shadow_host`: the DR side of one protected server (CT-CDR's 复影云主机): a small host in the DR zone
// running cdr-shadow, with one replica disk per protected disk, created when replication first starts. Its
// recovery point operations are in providers/types/recovery_points.h. The type's one home (structs, JSON
// form, schema, typed calls), as providers/types/host.h describes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "providers/resource_provider.h"
#include "providers/resource_schema.h"

namespace cdr::providers {

struct ShadowHostRequest {
  std::string client_token;
  std::string name;  // "shadow-web-1"
  std::string zone;  // the group's DR zone
  std::string vpc;
  std::string server_id;  // the protected server's host id
  std::string disk_type;  // sata | sas | ssd
  std::string group;      // cdr's names of the group and server: labels of the shadow host's metrics
  std::string server_name;
  // Failback (docs/state-machine.md): replicas that already hold most of the data, so the agent compares
  // instead of copying (ReplicationTarget::compare_first). At most one is set; the shadow host then lives in
  // `zone` as asked. Reverse replication into the original production host: that host's disks ARE the
  // replicas (its agent must not write them meanwhile: it is fenced).
  std::string replicas_are_disks_of;
  // Protection again after a failback: the replicas start as that DR host's disks, which the provider hands
  // over (no copy over the network); the DR host is deleted next and must not run.
  std::string seed_from_dr_host;
};

struct ShadowHost {
  std::string id;  // "shadow-XXXXXXXX"
  std::string name;
  std::string zone;
  std::string vpc;
  std::string server_id;
  std::string disk_type;
  std::string status;               // "running" | "stopped" (the cdr-shadow process is not running)
  std::string replication_address;  // where agents stream to: "127.0.0.1:PORT"
  std::string replica_dir;          // where the replica disks and the CDP log live
  std::string group;                // as requested
  std::string server_name;
  std::string metrics_address;  // GET /metrics (Prometheus text, bearer token); empty while stopped
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ShadowHostRequest, client_token, name, zone, vpc, server_id,
                                                disk_type, group, server_name, replicas_are_disks_of,
                                                seed_from_dr_host)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ShadowHost, id, name, zone, vpc, server_id, disk_type, status,
                                                replication_address, replica_dir, group, server_name,
                                                metrics_address)

namespace types {

TypeSchema ShadowHostSchema();

Result<ShadowHost> CreateShadowHost(ResourceProvider& provider, const ShadowHostRequest& request);
Result<ShadowHost> ReadShadowHost(ResourceProvider& provider, const std::string& id);  // kNotFound if gone
Result<std::vector<ShadowHost>> ReadShadowHosts(ResourceProvider& provider,
                                                const std::vector<std::string>& ids);
// Deletes its replicas too; a missing one is Ok.
Status DeleteShadowHost(ResourceProvider& provider, const std::string& id);

}  // namespace types
}  // namespace cdr::providers
