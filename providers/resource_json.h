// The JSON form of provider.h's requests and resources: what the generic interface (resource_provider.h) and
// the provider protocol carry. Field names are the C++ member names; a missing field takes the member's
// default, so a provider may leave out what it does not know. nlohmann's macros write both directions from
// one list.
#pragma once

#include <nlohmann/json.hpp>

#include "providers/provider.h"

namespace cdr::providers {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DiskFacts, id, path, size_bytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HostFacts, id, zone, vpc, flavor, vcpus, memory_mib, os,
                                                filesystem, ip, power_state, disks)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ListHostsRequest, zone)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PeeringRequest, client_token, name, vpc, production_zone,
                                                dr_zone)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Peering, id, name, vpc, production_zone, dr_zone, status)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EndpointRequest, client_token, name, vpc, zone)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Endpoint, id, name, vpc, zone, address, status)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AgentInstallRequest, host_id, group, version)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AgentUpgradeRequest, host_id, version)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ReverseAgentRequest, dr_host_id, group)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HostRequest, client_token, name, zone, vpc, flavor, ip,
                                                disks_like, filesystem)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Agent, host_id, version, status, installed_at, group,
                                                api_address, api_token, api_tls_dir, nbd_address, nbd_tls_dir)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ShadowHostRequest, client_token, name, zone, vpc, server_id,
                                                disk_type, group, server_name, replicas_are_disks_of,
                                                seed_from_dr_host)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ShadowHost, id, name, zone, vpc, server_id, disk_type, status,
                                                replication_address, replica_dir, group, server_name,
                                                metrics_address)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RecoveryPolicyRequest, shadow_host_id, server_id,
                                                every_seconds, keep)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RecoveryPoint, id, time_ns, kind, bytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RecoveryPoints, points, window_start_ns, window_end_ns,
                                                history_bytes, refused)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RecoveryPointRequest, shadow_host_id, server_id, id, time_ns)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DrHostRequest, client_token, name, purpose, zone, vpc,
                                                shadow_host_id, server_id, flavor, ip, disk_type, eip,
                                                recovery_point, group, server_name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DrHost, id, name, purpose, zone, server_id, shadow_host_id,
                                                flavor, ip, disk_type, eip, recovery_point, point_id,
                                                point_time_ns, status, nbd_address, nbd_tls_dir, disks, standalone, group,
                                                server_name, metrics_address)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DrHostCheck, kind, command)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DrHostCheckResult, result, detail)

// `json` as a T; kInvalidArgument naming `what` when a field has the wrong JSON type.
template <typename T>
Result<T> FromJson(const nlohmann::json& json, const std::string& what) {
  try {
    return json.get<T>();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(what + ": " + e.what());
  }
}

}  // namespace cdr::providers
