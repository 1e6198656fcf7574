// The narrow interface between the reconciler and a cloud. Every call is a request struct in and a response
// struct out. Create calls take a client_token: calling again with the same token returns the resource made
// the first time instead of a second one, so an apply killed between the call and the state write can be
// re-run without duplicates (the EC2 ClientToken model).
#pragma once

#include <cstdint>
#include <map>
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
  std::string group;    // the protection group the agent serves
  std::string version;  // one of AgentVersions().offered; empty: AgentVersions().default_version
};

// The agent releases a cloud can install (what `agent_version` in the spec may name).
struct AgentVersions {
  std::vector<std::string> offered;  // sorted
  std::string default_version;       // what an install without a version gets
};

// Replaces the running agent of a host by another release on the same journal, bitmap, disks, epoch and
// certificates: the old process is stopped gracefully (it flushes its journal and marks its bitmap clean), the
// new one started and awaited. Writes through the NBD export fail to connect meanwhile; none acknowledged is lost.
struct AgentUpgradeRequest {
  std::string host_id;
  std::string version;  // one of AgentVersions().offered; the same as the running one restarts nothing
};

// Failback's reverse registration (docs/state-machine.md): a cdr-agent is put in front of a failed-over DR
// host's disks, so the DR host becomes the protected side and every write of its workload passes through the
// agent's journal.
struct ReverseAgentRequest {
  std::string dr_host_id;  // a DR host whose disks are standalone (its failover was confirmed)
  std::string group;
};

// Failback to a new production host (restore_to_original = false): a host launched in the production zone with
// empty disks shaped like the DR host's, which reverse replication then fills by a full sync. Its id is the
// requested name (the spec names the host), so the plan can show it before it exists.
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

struct Agent {
  std::string host_id;
  std::string version;
  std::string status;  // "running" (the agent process answers) | "stopped" (installed, process not running)
  int64_t installed_at = 0;
  std::string group;  // the protection group it was installed for
  // How the reconciler reaches the agent (empty while stopped): its control API and its NBD front.
  std::string api_address;  // "127.0.0.1:PORT"
  std::string api_token;    // bearer token of the control API
  // cdr's client certificate for the agent's HTTPS control API (client-cert.pem, client-key.pem, ca-cert.pem);
  // empty: the agent serves plain HTTP (insecure = true).
  std::string api_tls_dir;
  std::string nbd_address;  // "127.0.0.1:PORT"; exports are named after the host's disks (vda, …)
  // The client certificate directory an NBD client presents to the exports (NBD_OPT_STARTTLS, libnbd's
  // tls-certificates); empty: the exports are plain (insecure = true).
  std::string nbd_tls_dir;
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
  std::string group;        // cdr's names of the group and server: labels of the shadow host's metrics
  std::string server_name;
  // Failback (docs/state-machine.md): replicas that already hold most of the data, so the agent compares
  // instead of copying (ReplicationTarget::compare_first). At most one is set; the shadow host then lives in
  // `zone` as asked. Reverse replication into the original production host: that host's disks ARE the
  // replicas (its agent must not write them meanwhile: it is fenced).
  std::string replicas_are_disks_of;
  // Protection again after a failback: the replicas start as that DR host's disks, which the provider hands over
  // (no copy over the network); the DR host is deleted next and must not run.
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
  std::string metrics_address;      // GET /metrics (Prometheus text, bearer token); empty while stopped
};

// How often a shadow host takes recovery points for one server, and how many it keeps. Every point in between
// (any point in time) stays restorable from the oldest kept point to now.
struct RecoveryPolicyRequest {
  std::string shadow_host_id;
  std::string server_id;
  int every_seconds = 3600;
  int keep = 24;
};

struct RecoveryPoint {
  std::string id;        // "rp-20261125T010000Z": derived from the time, the same on every server of a schedule
  int64_t time_ns = 0;   // UTC
  std::string kind;      // "scheduled" | "manual"
  uint64_t bytes = 0;    // data written since the previous point (what keeping this point costs)
};

struct RecoveryPoints {
  std::vector<RecoveryPoint> points;  // oldest first
  // Any time in [window_start_ns, window_end_ns] can be restored (per write); 0/0 while there is no history yet.
  int64_t window_start_ns = 0;
  int64_t window_end_ns = 0;
  uint64_t history_bytes = 0;  // disk space the history (base, CDP log) takes on the shadow host
  std::map<std::string, std::string> refused;  // requested point id → why the shadow host could not take it
};

// A point at a given instant, named by the caller: the same id and time on every server of a group makes a
// group-consistent point (Zerto's VPG checkpoint).
struct RecoveryPointRequest {
  std::string shadow_host_id;
  std::string server_id;
  std::string id;
  int64_t time_ns = 0;
};

// A DR host (CT-CDR's 容灾云主机) brought up in the DR zone from a recovery point, for a drill or a failover. Its
// disks are materialized from the shadow host's history at the chosen point without copying the disk.
struct DrHostRequest {
  std::string client_token;
  std::string name;            // the DR host name from the spec
  std::string purpose;         // "drill" | "failover"
  std::string zone;            // the group's DR zone
  std::string vpc;
  std::string shadow_host_id;  // where the history lives
  std::string server_id;       // the protected server
  std::string flavor;
  std::string ip;              // "dhcp" or an IPv4 address
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
  std::string recovery_point;     // as requested
  std::string point_id;           // the recovery point it resolved to ("" for a time between points)
  int64_t point_time_ns = 0;      // the instant its disks show
  std::string status;             // "running" | "stopped"
  std::string nbd_address;        // "127.0.0.1:PORT"; exports are named after the disks
  std::string nbd_tls_dir;        // as Agent::nbd_tls_dir
  std::vector<std::string> disks;
  bool standalone = false;        // its disks no longer depend on the shadow host (after a confirmed failover)
  std::string group;              // as requested
  std::string server_name;
  std::string metrics_address;    // GET /metrics (Prometheus text, bearer token); empty while stopped
};

// A drill's automatic verification of the disks it brought up.
struct DrHostCheck {
  std::string kind;     // by name: DrCheckKindName (providers/dr_check_kind.h)
  std::string command;  // kind "command": run with CDR_DISK=<a disk image at the DR host's point>; exit 0 = pass
};

struct DrHostCheckResult {
  std::string result;  // "passed" | "failed" | "unknown" (nothing to compare with)
  std::string detail;  // what was compared or run, and what came out
};

class Provider {
 public:
  virtual ~Provider() = default;

  virtual std::string Name() const = 0;

  virtual Result<HostFacts> DescribeHost(const std::string& host_id) = 0;  // kNotFound if gone
  virtual Result<std::vector<HostFacts>> ListHosts(const ListHostsRequest& request) = 0;
  // kAlreadyExists when a host of that name exists that another token made.
  virtual Result<HostFacts> CreateHost(const HostRequest& request) = 0;

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
  // The agent is known by the DR host's id from then on (DescribeAgent, UninstallAgent) and the DR host's disks are
  // served by it (DescribeDrHost gives its NBD address). Installing again returns the same agent;
  // kFailedPrecondition while the DR host's disks still depend on the shadow host.
  virtual Result<Agent> InstallReverseAgent(const ReverseAgentRequest& request) = 0;
  virtual Result<AgentVersions> ListAgentVersions() = 0;
  // kInvalidArgument naming the offered versions for one that is not; kFailedPrecondition when the new release
  // does not come up (its error and log), the old one then stopped: upgrading to the old version again restarts it.
  virtual Result<Agent> UpgradeAgent(const AgentUpgradeRequest& request) = 0;

  virtual Result<ShadowHost> CreateShadowHost(const ShadowHostRequest& request) = 0;
  virtual Result<ShadowHost> DescribeShadowHost(const std::string& id) = 0;  // kNotFound if gone
  virtual Status DeleteShadowHost(const std::string& id) = 0;  // deletes its replicas too; missing is Ok

  virtual Status SetRecoveryPolicy(const RecoveryPolicyRequest& request) = 0;
  virtual Result<RecoveryPoints> ListRecoveryPoints(const std::string& shadow_host_id,
                                                    const std::string& server_id) = 0;
  // Returns once asked; the point shows in ListRecoveryPoints when every disk is durable past the time (or in
  // `refused` with the reason).
  virtual Status RequestRecoveryPoint(const RecoveryPointRequest& request) = 0;

  // kFailedPrecondition when the point cannot be restored (outside the window, inside a repair, no history).
  virtual Result<DrHost> CreateDrHost(const DrHostRequest& request) = 0;
  virtual Result<DrHost> DescribeDrHost(const std::string& id) = 0;  // kNotFound if gone
  virtual Status DeleteDrHost(const std::string& id) = 0;            // missing is Ok
  // Makes the DR host's disks standalone copies (failover confirm), so the shadow host and its history can go.
  virtual Result<DrHost> DetachDrHost(const std::string& id) = 0;
  virtual Result<DrHostCheckResult> CheckDrHost(const std::string& id, const DrHostCheck& check) = 0;

  // Several resources of one kind in one call where the provider can (over HTTP: one list request instead of
  // a read each): those among `ids` that exist, in no particular order; one that does not is left out, never
  // kNotFound. What each Describe* call would say; by default these are what they do (provider.cc).
  virtual Result<std::vector<HostFacts>> DescribeHosts(const std::vector<std::string>& ids);
  virtual Result<std::vector<Agent>> DescribeAgents(const std::vector<std::string>& host_ids);
  virtual Result<std::vector<ShadowHost>> DescribeShadowHosts(const std::vector<std::string>& ids);
};

}  // namespace cdr::providers
