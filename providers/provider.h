// The narrow interface between the reconciler and a cloud. Every call is a request struct in and a response
// struct out. Create calls take a client_token: calling again with the same token returns the resource made
// the first time instead of a second one, so an apply killed between the call and the state write can be
// re-run without duplicates (the EC2 ClientToken model).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

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

struct PeeringRequest {
  std::string client_token;
  std::string name;  // "cdr-web-prod"
  std::string vpc;
  std::string production_zone;
  std::string dr_zone;
};

struct Peering {
  std::string id;  // "pcx-…"
  std::string name;
  std::string vpc;
  std::string production_zone;
  std::string dr_zone;
  std::string status;  // "active"
};

struct EndpointRequest {
  std::string client_token;
  std::string name;
  std::string vpc;
  std::string zone;  // the DR zone: the endpoint is how protected hosts reach the DR side
};

struct Endpoint {
  std::string id;  // "vpce-…"
  std::string name;
  std::string vpc;
  std::string zone;
  std::string address;  // "127.0.0.1" in the local provider
  std::string status;   // "available"
};

struct AgentInstallRequest {
  std::string host_id;
  std::string group;  // the protection group the agent serves
};

struct Agent {
  std::string host_id;
  std::string version;
  std::string status;  // "running" (the agent process answers) | "stopped" (installed, process not running)
  int64_t installed_at = 0;
  std::string group;  // the protection group it was installed for
  // How the reconciler reaches the agent (empty while stopped): its control API and its NBD front.
  std::string api_address;  // "127.0.0.1:PORT"
  std::string api_token;    // bearer token of the control API
  std::string nbd_address;  // "127.0.0.1:PORT"; exports are named after the host's disks (vda, …)
};

// The DR side of one protected server (CT-CDR's 复影云主机): a small host in the DR zone running cdr-shadow,
// with one replica disk per protected disk. Created when replication first starts.
struct ShadowHostRequest {
  std::string client_token;
  std::string name;       // "shadow-web-1"
  std::string zone;       // the group's DR zone
  std::string vpc;
  std::string server_id;  // the protected server's host id
  std::string disk_type;  // sata | sas | ssd
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
};

class Provider {
 public:
  virtual ~Provider() = default;

  virtual std::string Name() const = 0;

  virtual Result<HostFacts> DescribeHost(const std::string& host_id) = 0;  // kNotFound if gone
  virtual Result<std::vector<HostFacts>> ListHosts(const ListHostsRequest& request) = 0;

  virtual Result<Peering> CreatePeering(const PeeringRequest& request) = 0;
  virtual Result<Peering> DescribePeering(const std::string& id) = 0;  // kNotFound if gone
  virtual Status DeletePeering(const std::string& id) = 0;             // deleting a missing one is Ok

  virtual Result<Endpoint> CreateEndpoint(const EndpointRequest& request) = 0;
  virtual Result<Endpoint> DescribeEndpoint(const std::string& id) = 0;
  virtual Status DeleteEndpoint(const std::string& id) = 0;

  // Registers the host with the DR service. Installing on a host that already has the agent returns it.
  virtual Result<Agent> InstallAgent(const AgentInstallRequest& request) = 0;
  virtual Result<Agent> DescribeAgent(const std::string& host_id) = 0;  // kNotFound when not installed
  virtual Status UninstallAgent(const std::string& host_id) = 0;

  virtual Result<ShadowHost> CreateShadowHost(const ShadowHostRequest& request) = 0;
  virtual Result<ShadowHost> DescribeShadowHost(const std::string& id) = 0;  // kNotFound if gone
  virtual Status DeleteShadowHost(const std::string& id) = 0;  // deletes its replicas too; missing is Ok
};

}  // namespace cdr::providers
