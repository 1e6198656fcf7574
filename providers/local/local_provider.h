// The embedded `local` cloud: everything lives under one root directory (default .cdr/cloud) as JSON records
// plus disk image files, so a whole DR setup runs on one machine with real files and real processes.
//
//   ROOT/cloud.json                       zones, op_delay_ms (simulated API latency), next ids
//   ROOT/zones/ZONE/hosts/HOST.json       HostFacts of a host
//   ROOT/zones/ZONE/disks/HOST-vda.img    sparse disk image, ext4 made by mkfs.ext4
//   ROOT/peerings/pcx-XXXXXXXX.json       Peering (+ client_token)
//   ROOT/endpoints/vpce-XXXXXXXX.json     Endpoint (+ client_token)
//   ROOT/agents/HOST/agent.json           Agent (+ pid of its cdr-agent); token, state/, ready.json,
//   agent.log ROOT/shadows/shadow-XXXXXXXX.json     ShadowHost (+ client_token, pid of its cdr-shadow)
//   ROOT/zones/ZONE/shadows/ID/           the shadow host: replicas/, ready.json, shadow.log
//   ROOT/dr_hosts/dr-XXXXXXXX.json        DrHost (+ client_token, pid of its cdr-dr-disk)
//   ROOT/zones/ZONE/dr_hosts/ID/          the DR host: state/ (its point and writes), images/, ready.json
//   ROOT/agents/dr-XXXXXXXX/              a reverse agent (failback) fronting the DR host's images/
//   ROOT/pki/ca-cert.pem, ca-key.pem      the estate's CA; agents/HOST/tls/ and shadows/ID/tls/ hold the
//                                         certificates it signs (internal/host_certificates.h)
// Agents and shadow hosts are real processes on 127.0.0.1 that outlive the cdr command that started them.
// See docs/local-provider.md.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "providers/types/agent.h"
#include "providers/types/agent_version.h"
#include "providers/types/dr_host.h"
#include "providers/types/endpoint.h"
#include "providers/types/host.h"
#include "providers/types/peering.h"
#include "providers/types/recovery_points.h"
#include "providers/types/reverse_agent.h"
#include "providers/types/shadow_host.h"

namespace cdr::providers::local {

struct HostTemplate {
  std::string id;
  std::string zone = "az1";
  std::string vpc = "vpc-prod";
  std::string flavor = "c2m4";  // c1m2, c2m4, c4m8, c8m16 (vCPU, GiB)
  std::string os = "debian-12";
  std::string filesystem = "ext4";  // ext4 disks are formatted with mkfs.ext4; others are left raw
  int64_t disk_size_bytes = 256ll << 20;
};

struct InitOptions {
  int hosts = 3;  // production hosts host-1 … host-N in az1, vpc-prod
  int64_t disk_size_bytes = 256ll << 20;
  int op_delay_ms = 0;  // added to every mutating call: lets tests interrupt an apply mid-way
};

namespace internal {
struct AgentRecord;
struct ShadowRecord;
struct DrHostRecord;
}  // namespace internal

// What `cdr local up`/`down` did to one agent or shadow host process.
struct ProcessChange {
  std::string kind;     // "agent" | "shadow" | "dr_host"
  std::string id;       // the host id of an agent, the id of a shadow host
  int pid = 0;          // the process stopped or started; 0 when none
  std::string address;  // where a started process listens (agent: its NBD front; shadow: replication)
  std::string outcome;  // "stopped", "not running", "started", "already running", "failed"
  Status status;        // why it failed
};

// The cloud's implementation, one typed method per call; the generic provider the rest of cdr uses is made of
// it by local_resources.h (one file per resource type).
class LocalProvider {
 public:
  // Opens an initialized cloud; kFailedPrecondition (saying to run `cdr local init`) when ROOT has none.
  // insecure (the spec's [provider] insecure = true): the agents and shadow hosts it starts replicate over
  // plain TCP; otherwise over TLS with certificates of ROOT/pki's CA.
  static Result<std::unique_ptr<LocalProvider>> Open(const std::filesystem::path& root,
                                                     bool insecure = false);
  // Creates ROOT with zones az1 (production) and az2 (DR) and opts.hosts production hosts.
  // kAlreadyExists when ROOT already holds a cloud.
  static Status Init(const std::filesystem::path& root, const InitOptions& opts);
  // Adds one host (and its disk) to an initialized cloud. kAlreadyExists on a duplicate id.
  static Status AddHost(const std::filesystem::path& root, const HostTemplate& host);
  // Removes a host record and its disks, as if it were deleted in the cloud console; its agent process, if
  // any, dies with it (the agent record stays: the DR service still has the registration).
  static Status DeleteHost(const std::filesystem::path& root, const std::string& host_id);
  // Revokes the certificates the agent of host `id` and the shadow host `id` hold now; every TLS listener of
  // the cloud refuses them from its next handshake on. Returns the certificate files revoked.
  static Result<std::vector<std::filesystem::path>> RevokeCertificates(const std::filesystem::path& root,
                                                                       const std::string& id);

  Result<HostFacts> DescribeHost(const std::string& host_id);
  Result<std::vector<HostFacts>> ListHosts(const ListHostsRequest& request);

  Result<Peering> CreatePeering(const PeeringRequest& request);
  Result<Peering> DescribePeering(const std::string& id);
  Status DeletePeering(const std::string& id);

  Result<Endpoint> CreateEndpoint(const EndpointRequest& request);
  Result<Endpoint> DescribeEndpoint(const std::string& id);
  Status DeleteEndpoint(const std::string& id);

  Result<Agent> InstallAgent(const AgentInstallRequest& request);
  Result<Agent> DescribeAgent(const std::string& host_id);
  Status UninstallAgent(const std::string& host_id);
  Result<Agent> InstallReverseAgent(const ReverseAgentRequest& request);
  Result<AgentVersions> ListAgentVersions();  // local_agent_upgrade.cc
  Result<Agent> UpgradeAgent(const AgentUpgradeRequest& request);
  Result<HostFacts> CreateHost(const HostRequest& request);  // local_launched_hosts.cc

  Result<ShadowHost> CreateShadowHost(const ShadowHostRequest& request);
  Result<ShadowHost> DescribeShadowHost(const std::string& id);
  Status DeleteShadowHost(const std::string& id);

  Status SetRecoveryPolicy(const RecoveryPolicyRequest& request);
  Result<RecoveryPoints> ListRecoveryPoints(const std::string& shadow_host_id, const std::string& server_id);

  Status RequestRecoveryPoint(const RecoveryPointRequest& request);
  Result<DrHost> CreateDrHost(const DrHostRequest& request);
  Result<DrHost> DescribeDrHost(const std::string& id);
  Status DeleteDrHost(const std::string& id);
  Result<DrHost> DetachDrHost(const std::string& id);
  Result<DrHostCheckResult> CheckDrHost(const std::string& id, const DrHostCheck& check);

  // Every installed agent and every shadow host, sorted by id, with their current status.
  Result<std::vector<Agent>> ListAgents();
  Result<std::vector<ShadowHost>> ListShadowHosts();

  // `cdr local down`: stops every agent and shadow host process; records, tokens, state and replicas stay,
  // so StartAllProcesses (or InstallAgent/CreateShadowHost again) resumes them.
  std::vector<ProcessChange> StopAllProcesses();
  // `cdr local up`: starts every agent and shadow host process that is not running.
  std::vector<ProcessChange> StartAllProcesses();

 private:
  LocalProvider(std::filesystem::path root, int op_delay_ms, bool insecure);
  void SimulateLatency() const;

  // The host an agent may run on: it exists and is powered on.
  Result<HostFacts> HostForAgent(const std::string& host_id, const std::string& action);
  // The host an agent record is for: a production host, or a DR host fronted by a reverse agent.
  Result<HostFacts> AgentHost(const std::string& host_id, const std::string& action);
  // Starts the host's cdr-agent unless it runs already, and records its pid, addresses and token.
  Result<Agent> EnsureAgentRunning(const HostFacts& host, internal::AgentRecord record);
  // Starts the shadow host's cdr-shadow unless it runs already, and records its pid and address.
  Result<ShadowHost> EnsureShadowRunning(internal::ShadowRecord record);
  // A new shadow host's seeded replicas (ShadowHostRequest::replicas_are_disks_of, seed_from_dr_host), put in
  // its replica dir before cdr-shadow first starts (local_seeded_replicas.cc).
  Status PlaceSeededReplicas(const ShadowHostRequest& request, const std::filesystem::path& replica_dir);
  // Starts the DR host's cdr-dr-disk unless it runs already, and records its pid, address and point.
  Result<DrHost> EnsureDrHostRunning(internal::DrHostRecord record);
  // CheckDrHost without recording the result for the DR host's metrics.
  Result<DrHostCheckResult> RunDrHostCheck(const std::string& id, const DrHostCheck& check);
  // The replica dir of a shadow host, checked to be one of this cloud's.
  Result<std::filesystem::path> ShadowServerDir(const std::string& shadow_host_id, const std::string& server_id);

  std::filesystem::path root_;
  int op_delay_ms_;
  bool insecure_;                   // the estate's insecure = true: agents and shadow hosts speak plain TCP
  std::vector<std::string> zones_;  // from cloud.json, read once by Open
  std::map<std::string, std::string> agent_builds_;  // version → program (agent_builds.h), set by Open
};

}  // namespace cdr::providers::local
