// The in-memory cloud behind the recording fake provider (fake_provider.h): the resource types whose
// behaviour the reconciler tests depend on (client tokens honored like a real cloud, installing a stopped
// agent starts it, a DR host needs its shadow host, a reverse agent a standalone DR host), as typed methods
// registered as the generic types of providers/types/ (Types()), and the out-of-band changes a test makes as
// if someone used the cloud console. A resource type it does not register is served by the fake's generic
// store instead.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "providers/resource_handlers.h"
#include "providers/resource_type_registry.h"
#include "providers/types/agent.h"
#include "providers/types/agent_version.h"
#include "providers/types/dr_host.h"
#include "providers/types/endpoint.h"
#include "providers/types/host.h"
#include "providers/types/peering.h"
#include "providers/types/recovery_points.h"
#include "providers/types/reverse_agent.h"
#include "providers/types/shadow_host.h"

namespace cdr::reconcile::test_util {

class FakeCloud {
 public:
  providers::HostFacts& AddHost(const std::string& id, const std::string& zone = "az1",
                                const std::string& vpc = "vpc-web", int vcpus = 2, int64_t memory_mib = 4096,
                                const std::string& filesystem = "ext4") {
    providers::HostFacts h;
    h.id = id;
    h.zone = zone;
    h.vpc = vpc;
    h.flavor = "c" + std::to_string(vcpus) + "m" + std::to_string(memory_mib / 1024);
    h.vcpus = vcpus;
    h.memory_mib = memory_mib;
    h.os = "debian-12";
    h.filesystem = filesystem;
    h.ip = "10.0.0." + std::to_string(hosts_.size() + 10);
    h.power_state = "running";
    h.disks.push_back({"vda", "/images/" + id + ".img", int64_t{8} << 30});
    return hosts_[id] = h;
  }
  void RemoveHost(const std::string& id) { hosts_.erase(id); }

  // Out-of-band changes, as if someone used the cloud console: not recorded.
  void RemovePeeringOutOfBand(const std::string& id) { peerings_.erase(id); }
  void RemoveEndpointOutOfBand(const std::string& id) { endpoints_.erase(id); }
  void RemoveAgentOutOfBand(const std::string& host) { agents_.erase(host); }
  // The agent process died (or was killed): installed, not running, unreachable.
  void StopAgentOutOfBand(const std::string& host) {
    auto& a = agents_.at(host);
    a.status = "stopped";
    a.api_address.clear();
    a.nbd_address.clear();
  }
  void RemoveShadowHostOutOfBand(const std::string& id) { shadow_hosts_.erase(id); }
  // The shadow's process died: it exists, keeps its replicas, listens nowhere.
  void StopShadowHostOutOfBand(const std::string& id) {
    auto& s = shadow_hosts_.at(id);
    s.status = "stopped";
    s.replication_address.clear();
  }

  const std::map<std::string, providers::Peering>& peerings() const { return peerings_; }
  const std::map<std::string, providers::Endpoint>& endpoints() const { return endpoints_; }
  const std::map<std::string, providers::Agent>& agents() const { return agents_; }
  const std::map<std::string, providers::ShadowHost>& shadow_hosts() const { return shadow_hosts_; }
  const std::vector<providers::PeeringRequest>& peering_requests() const { return peering_requests_; }

  // What CheckDrHost answers.
  providers::DrHostCheckResult check_result{"passed", "fake check"};
  // A DR host whose process died, or that was deleted, outside cdr.
  void StopDrHostOutOfBand(const std::string& id) { dr_hosts_.at(id).status = "stopped"; }

  std::map<std::string, providers::RecoveryPolicyRequest>& policies() { return policies_; }
  std::map<std::string, providers::RecoveryPoints>& recovery_points() { return recovery_points_; }
  std::map<std::string, providers::DrHost>& dr_hosts() { return dr_hosts_; }

 protected:
  // The typed calls as generic resource types, as providers/local/*_type.cc registers the local cloud's.
  std::vector<providers::ResourceTypeDef> Types() {
    using namespace providers;  // NOLINT: the handler helpers and the types' structs
    std::vector<ResourceTypeDef> defs;
    auto op = [](providers::Operation o) { return std::string(providers::OperationName(o)); };
    ResourceTypeDef host{types::HostSchema(), {}};
    host.handlers.create = Creator<HostRequest>([this](const HostRequest& r) { return CreateHost(r); });
    host.handlers.read = [this](const std::string& id) { return AsJson(DescribeHost(id)); };
    host.handlers.list = [this](const Json& filter) -> Result<Json> {
      auto request = FromJson<ListHostsRequest>(filter, "filter");
      if (!request.ok()) return request.status();
      return AsJson(ListHosts(*request));
    };
    defs.push_back(std::move(host));
    ResourceTypeDef peering{types::PeeringSchema(), {}};
    peering.handlers.create =
        Creator<PeeringRequest>([this](const PeeringRequest& r) { return CreatePeering(r); });
    peering.handlers.read = [this](const std::string& id) { return AsJson(DescribePeering(id)); };
    peering.handlers.remove = [this](const std::string& id) { return DeletePeering(id); };
    defs.push_back(std::move(peering));
    ResourceTypeDef endpoint{types::EndpointSchema(), {}};
    endpoint.handlers.create =
        Creator<EndpointRequest>([this](const EndpointRequest& r) { return CreateEndpoint(r); });
    endpoint.handlers.read = [this](const std::string& id) { return AsJson(DescribeEndpoint(id)); };
    endpoint.handlers.remove = [this](const std::string& id) { return DeleteEndpoint(id); };
    defs.push_back(std::move(endpoint));
    ResourceTypeDef agent{types::AgentSchema(), {}};
    agent.handlers.create =
        Creator<AgentInstallRequest>([this](const AgentInstallRequest& r) { return InstallAgent(r); });
    agent.handlers.read = [this](const std::string& id) { return AsJson(DescribeAgent(id)); };
    agent.handlers.remove = [this](const std::string& id) { return UninstallAgent(id); };
    agent.handlers.operations[op(providers::Operation::kUpgrade)] = OperationOn<AgentUpgradeRequest>(
        "host_id", [this](const AgentUpgradeRequest& r) { return UpgradeAgent(r); });
    defs.push_back(std::move(agent));
    ResourceTypeDef reverse{types::ReverseAgentSchema(), {}};
    reverse.handlers.create =
        Creator<ReverseAgentRequest>([this](const ReverseAgentRequest& r) { return InstallReverseAgent(r); });
    reverse.handlers.read = [this](const std::string& id) { return AsJson(DescribeAgent(id)); };
    reverse.handlers.remove = [this](const std::string& id) { return UninstallAgent(id); };
    defs.push_back(std::move(reverse));
    ResourceTypeDef versions{types::AgentVersionSchema(), {}};
    versions.handlers.list = [this](const Json&) -> Result<Json> {
      auto offered = ListAgentVersions();
      if (!offered.ok()) return offered.status();
      return types::AgentVersionsToJson(*offered);
    };
    defs.push_back(std::move(versions));
    ResourceTypeDef shadow{types::ShadowHostSchema(), {}};
    shadow.handlers.create =
        Creator<ShadowHostRequest>([this](const ShadowHostRequest& r) { return CreateShadowHost(r); });
    shadow.handlers.read = [this](const std::string& id) { return AsJson(DescribeShadowHost(id)); };
    shadow.handlers.remove = [this](const std::string& id) { return DeleteShadowHost(id); };
    shadow.handlers.operations[op(providers::Operation::kSetRecoveryPolicy)] =
        OperationOn<RecoveryPolicyRequest>(
            "shadow_host_id", [this](const RecoveryPolicyRequest& r) { return SetRecoveryPolicy(r); });
    shadow.handlers.operations[op(providers::Operation::kRequestRecoveryPoint)] =
        OperationOn<RecoveryPointRequest>(
            "shadow_host_id", [this](const RecoveryPointRequest& r) { return RequestRecoveryPoint(r); });
    shadow.handlers.operations[op(providers::Operation::kRecoveryPoints)] =
        OperationOn<RecoveryPolicyRequest>("shadow_host_id", [this](const RecoveryPolicyRequest& r) {
          return ListRecoveryPoints(r.shadow_host_id, r.server_id);
        });
    defs.push_back(std::move(shadow));
    ResourceTypeDef dr{types::DrHostSchema(), {}};
    dr.handlers.create = Creator<DrHostRequest>([this](const DrHostRequest& r) { return CreateDrHost(r); });
    dr.handlers.read = [this](const std::string& id) { return AsJson(DescribeDrHost(id)); };
    dr.handlers.remove = [this](const std::string& id) { return DeleteDrHost(id); };
    dr.handlers.operations[op(providers::Operation::kDetach)] = [this](const std::string& id, const Json&) {
      return AsJson(DetachDrHost(id));
    };
    dr.handlers.operations[op(providers::Operation::kCheck)] = [this](const std::string& id, const Json&) {
      return AsJson(CheckDrHost(id));
    };
    defs.push_back(std::move(dr));
    return defs;
  }

 private:
  Result<providers::HostFacts> DescribeHost(const std::string& host_id) {
    auto it = hosts_.find(host_id);
    if (it == hosts_.end()) return NotFound("host " + host_id + " does not exist");
    return it->second;
  }

  Result<std::vector<providers::HostFacts>> ListHosts(const providers::ListHostsRequest& request) {
    std::vector<providers::HostFacts> out;
    for (const auto& [id, h] : hosts_) {
      if (request.zone.empty() || h.zone == request.zone) out.push_back(h);
    }
    return out;
  }

  Result<providers::HostFacts> CreateHost(const providers::HostRequest& request) {
    if (auto it = hosts_.find(request.name); it != hosts_.end()) {
      if (host_tokens_[request.name] == request.client_token) return it->second;
      return AlreadyExists("host " + request.name + " already exists");
    }
    host_tokens_[request.name] = request.client_token;
    providers::HostFacts& h = AddHost(request.name, request.zone, request.vpc);
    h.flavor = request.flavor;
    h.filesystem = request.filesystem;
    return h;
  }

  Result<providers::Peering> CreatePeering(const providers::PeeringRequest& request) {
    peering_requests_.push_back(request);
    if (auto it = peering_tokens_.find(request.client_token); it != peering_tokens_.end()) {
      if (auto p = peerings_.find(it->second); p != peerings_.end()) return p->second;
    }
    providers::Peering p{NextId("pcx-"),          request.name,    request.vpc,
                         request.production_zone, request.dr_zone, "active"};
    peering_tokens_[request.client_token] = p.id;
    return peerings_[p.id] = p;
  }
  Result<providers::Peering> DescribePeering(const std::string& id) {
    auto it = peerings_.find(id);
    if (it == peerings_.end()) return NotFound("VPC peering " + id + " does not exist");
    return it->second;
  }
  Status DeletePeering(const std::string& id) {
    peerings_.erase(id);
    return Status::Ok();
  }

  Result<providers::Endpoint> CreateEndpoint(const providers::EndpointRequest& request) {
    if (auto it = endpoint_tokens_.find(request.client_token); it != endpoint_tokens_.end()) {
      if (auto e = endpoints_.find(it->second); e != endpoints_.end()) return e->second;
    }
    providers::Endpoint e{NextId("vpce-"), request.name, request.vpc, request.zone, "127.0.0.1", "available"};
    endpoint_tokens_[request.client_token] = e.id;
    return endpoints_[e.id] = e;
  }
  Result<providers::Endpoint> DescribeEndpoint(const std::string& id) {
    auto it = endpoints_.find(id);
    if (it == endpoints_.end()) return NotFound("VPC endpoint " + id + " does not exist");
    return it->second;
  }
  Status DeleteEndpoint(const std::string& id) {
    endpoints_.erase(id);
    return Status::Ok();
  }

  Result<providers::Agent> InstallAgent(const providers::AgentInstallRequest& request) {
    if (!hosts_.count(request.host_id)) return NotFound("host " + request.host_id + " does not exist");
    if (auto it = agents_.find(request.host_id); it != agents_.end()) {
      if (it->second.status == "stopped")
        it->second = RunningAgent(it->second);  // installing again restarts it
      return it->second;
    }
    providers::Agent a{request.host_id, request.version.empty() ? "1.2.3" : request.version, "running",
                       1700000000000, request.group};
    return agents_[request.host_id] = RunningAgent(a);
  }
  Result<providers::AgentVersions> ListAgentVersions() {
    return providers::AgentVersions{{"1.2.3", "1.3.0"}, "1.2.3"};
  }
  Result<providers::Agent> UpgradeAgent(const providers::AgentUpgradeRequest& request) {
    auto it = agents_.find(request.host_id);
    if (it == agents_.end()) return NotFound("no agent on host " + request.host_id);
    it->second.version = request.version;
    return it->second = RunningAgent(it->second);
  }
  Result<providers::Agent> DescribeAgent(const std::string& host_id) {
    auto it = agents_.find(host_id);
    if (it == agents_.end()) return NotFound("no agent on host " + host_id);
    return it->second;
  }
  Status UninstallAgent(const std::string& host_id) {
    agents_.erase(host_id);
    return Status::Ok();
  }

  Result<providers::Agent> InstallReverseAgent(const providers::ReverseAgentRequest& request) {
    auto dr = dr_hosts_.find(request.dr_host_id);
    if (dr == dr_hosts_.end()) return NotFound("DR host " + request.dr_host_id + " does not exist");
    if (!dr->second.standalone)
      return FailedPrecondition("DR host " + request.dr_host_id + " is not standalone");
    if (auto it = agents_.find(request.dr_host_id); it != agents_.end()) {
      if (it->second.status == "stopped")
        it->second = RunningAgent(it->second);  // installing again restarts it
      dr->second.nbd_address = it->second.nbd_address;
      return it->second;
    }
    providers::Agent a{request.dr_host_id, "1.2.3", "running", 1700000000000, request.group};
    a = RunningAgent(a);
    dr->second.nbd_address = a.nbd_address;
    return agents_[request.dr_host_id] = a;
  }

  Result<providers::ShadowHost> CreateShadowHost(const providers::ShadowHostRequest& request) {
    if (auto it = shadow_tokens_.find(request.client_token); it != shadow_tokens_.end()) {
      if (auto s = shadow_hosts_.find(it->second); s != shadow_hosts_.end()) {
        if (s->second.status == "stopped") {  // restarted, like a real process: on a new port
          s->second.status = "running";
          s->second.replication_address = "127.0.0.1:" + std::to_string(20000 + ++next_id_);
        }
        return s->second;
      }
    }
    providers::ShadowHost s{NextId("shadow-"), request.name,      request.zone, request.vpc,
                            request.server_id, request.disk_type, "running"};
    s.replication_address = "127.0.0.1:" + std::to_string(20000 + next_id_);
    s.replica_dir = "/replicas/" + s.id;
    shadow_tokens_[request.client_token] = s.id;
    return shadow_hosts_[s.id] = s;
  }
  Result<providers::ShadowHost> DescribeShadowHost(const std::string& id) {
    auto it = shadow_hosts_.find(id);
    if (it == shadow_hosts_.end()) return NotFound("shadow host " + id + " does not exist");
    return it->second;
  }
  Status DeleteShadowHost(const std::string& id) {
    shadow_hosts_.erase(id);
    return Status::Ok();
  }

  Status SetRecoveryPolicy(const providers::RecoveryPolicyRequest& request) {
    policies_[request.server_id] = request;
    return Status::Ok();
  }
  Result<providers::RecoveryPoints> ListRecoveryPoints(const std::string& shadow_host_id,
                                                       const std::string& server_id) {
    if (!shadow_hosts_.count(shadow_host_id))
      return NotFound("shadow host " + shadow_host_id + " does not exist");
    return recovery_points_[server_id];
  }
  Status RequestRecoveryPoint(const providers::RecoveryPointRequest& request) {
    recovery_points_[request.server_id].points.push_back({request.id, request.time_ns, "manual", 0});
    return Status::Ok();
  }
  Result<providers::DrHost> CreateDrHost(const providers::DrHostRequest& request) {
    if (auto it = dr_tokens_.find(request.client_token); it != dr_tokens_.end()) {
      if (auto d = dr_hosts_.find(it->second); d != dr_hosts_.end()) {
        d->second.status = "running";
        return d->second;
      }
    }
    if (!shadow_hosts_.count(request.shadow_host_id)) {
      return FailedPrecondition("shadow host " + request.shadow_host_id + " does not exist");
    }
    providers::DrHost d;
    d.id = NextId("dr-");
    d.name = request.name;
    d.purpose = request.purpose;
    d.zone = request.zone;
    d.server_id = request.server_id;
    d.shadow_host_id = request.shadow_host_id;
    d.flavor = request.flavor;
    d.ip = request.ip;
    d.disk_type = request.disk_type;
    d.eip = request.eip;
    d.recovery_point = request.recovery_point;
    d.status = "running";
    d.nbd_address = "dr-nbd:" + d.id;
    d.disks = {"vda"};
    dr_tokens_[request.client_token] = d.id;
    return dr_hosts_[d.id] = d;
  }
  Result<providers::DrHost> DescribeDrHost(const std::string& id) {
    auto it = dr_hosts_.find(id);
    if (it == dr_hosts_.end()) return NotFound("DR host " + id + " does not exist");
    return it->second;
  }
  Status DeleteDrHost(const std::string& id) {
    dr_hosts_.erase(id);
    return Status::Ok();
  }
  Result<providers::DrHost> DetachDrHost(const std::string& id) {
    auto it = dr_hosts_.find(id);
    if (it == dr_hosts_.end()) return NotFound("DR host " + id + " does not exist");
    it->second.standalone = true;
    return it->second;
  }

  Result<providers::DrHostCheckResult> CheckDrHost(const std::string& id) {
    if (!dr_hosts_.count(id)) return NotFound("DR host " + id + " does not exist");
    return check_result;
  }

  static providers::Agent RunningAgent(providers::Agent a) {
    a.status = "running";
    a.api_address = "agent-api:" + a.host_id;
    a.api_token = "token-" + a.host_id;
    a.nbd_address = "agent-nbd:" + a.host_id;
    return a;
  }
  std::string NextId(const std::string& prefix) {
    char buf[16];
    snprintf(buf, sizeof buf, "%08x", ++next_id_);
    return prefix + buf;
  }

  std::map<std::string, std::string> host_tokens_;  // host name → the client token that made it
  std::map<std::string, providers::HostFacts> hosts_;
  std::map<std::string, providers::Peering> peerings_;
  std::map<std::string, providers::Endpoint> endpoints_;
  std::map<std::string, providers::Agent> agents_;
  std::map<std::string, std::string> peering_tokens_;   // client token → peering id
  std::map<std::string, std::string> endpoint_tokens_;  // client token → endpoint id
  std::map<std::string, providers::ShadowHost> shadow_hosts_;
  std::map<std::string, std::string> shadow_tokens_;                  // client token → shadow host id
  std::map<std::string, providers::RecoveryPolicyRequest> policies_;  // by server id
  std::map<std::string, providers::RecoveryPoints> recovery_points_;  // by server id
  std::map<std::string, providers::DrHost> dr_hosts_;
  std::map<std::string, std::string> dr_tokens_;  // client token → DR host id
  std::vector<providers::PeeringRequest> peering_requests_;
  unsigned next_id_ = 0;
};

}  // namespace cdr::reconcile::test_util
