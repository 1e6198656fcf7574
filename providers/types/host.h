// `host`: the cloud's production hosts (read, list by zone) and the hosts a failback launches (create). The
// type's one home for both sides of the generic interface: its structs, their JSON form (field names are the
// member names; a missing field takes the member's default), its schema, and the typed calls the reconciler
// makes through any ResourceProvider.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "providers/resource_provider.h"
#include "providers/resource_schema.h"

namespace cdr::providers {

struct DiskFacts {
  std::string id;    // "vda"
  std::string path;  // where the disk's bytes live (local provider: an image file)
  int64_t size_bytes = 0;
};

struct HostFacts {
  std::string id;
  std::string zone;
  std::string vpc;
  std::string flavor;  // "c2m4"
  int vcpus = 0;
  int64_t memory_mib = 0;
  std::string os;          // "debian-12"
  std::string filesystem;  // of the protected disks: "ext4", "xfs", "ntfs", ...
  std::string ip;
  std::string power_state;  // "running" | "stopped"
  std::vector<DiskFacts> disks;
};

struct ListHostsRequest {
  std::string zone;  // empty: all zones
};

// Failback to a new production host (restore_to_original = false): a host launched in the production zone
// with empty disks shaped like the DR host's, which reverse replication then fills by a full sync. Its id is
// the requested name (the spec names the host), so the plan can show it before it exists.
struct HostRequest {
  std::string client_token;  // the same token again returns the host made the first time
  std::string name;
  std::string zone;
  std::string vpc;
  std::string flavor;
  std::string ip;          // "dhcp" or an IPv4 address
  std::string disks_like;  // a host or DR host id: the new host gets disks of the same ids and sizes, empty
  std::string filesystem;  // what the disks will hold (the replaced host's), a recorded fact
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DiskFacts, id, path, size_bytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HostFacts, id, zone, vpc, flavor, vcpus, memory_mib, os,
                                                filesystem, ip, power_state, disks)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ListHostsRequest, zone)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HostRequest, client_token, name, zone, vpc, flavor, ip,
                                                disks_like, filesystem)

namespace types {

TypeSchema HostSchema();

Result<HostFacts> ReadHost(ResourceProvider& provider, const std::string& id);  // kNotFound if gone
// Those of `ids` that exist (ReadMany, typed_calls.h).
Result<std::vector<HostFacts>> ReadHosts(ResourceProvider& provider, const std::vector<std::string>& ids);
Result<std::vector<HostFacts>> ListHosts(ResourceProvider& provider, const ListHostsRequest& request);
// kAlreadyExists when a host of that name exists that another token made.
Result<HostFacts> CreateHost(ResourceProvider& provider, const HostRequest& request);

}  // namespace types
}  // namespace cdr::providers
