// A recording fake provider for reconciler unit tests: an in-memory cloud that records every call in order,
// honors client tokens like a real cloud (same token → the object made the first time) and lets a test make
// any call fail through a per-method hook.
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "providers/provider.h"

namespace cdr::reconcile::test_util {

struct FakeCall {
  std::string method;  // "CreatePeering"
  std::string key;     // the key argument: host id, object id, or the create request's name
  std::string token;   // the client token of a create call, empty otherwise
  bool operator==(const FakeCall&) const = default;
};

class RecordingFakeProvider : public providers::Provider {
 public:
  // Returning a non-ok Status makes the call fail with it before it has any effect; Ok lets it run.
  using Hook = std::function<Status(const std::string& key)>;

  std::map<std::string, Hook> hooks;  // by method name

  // Fails every call of `method` (or only those whose key is `key`) with `status`.
  void FailOn(const std::string& method, Status status, std::optional<std::string> key = std::nullopt) {
    hooks[method] = [status, key](const std::string& k) { return !key || *key == k ? status : Status::Ok(); };
  }
  void ClearHooks() { hooks.clear(); }

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

  const std::vector<FakeCall>& calls() const { return calls_; }
  void ClearCalls() { calls_.clear(); }
  // "Method key" for each call that changes the cloud, in order.
  std::vector<std::string> MutatingCalls() const {
    std::vector<std::string> out;
    for (const auto& c : calls_) {
      if (c.method.rfind("Describe", 0) == 0 || c.method.rfind("List", 0) == 0) continue;
      out.push_back(c.method + " " + c.key);
    }
    return out;
  }

  std::string Name() const override { return "fake"; }

  Result<providers::HostFacts> DescribeHost(const std::string& host_id) override {
    CDR_RETURN_IF_ERROR(Enter("DescribeHost", host_id));
    auto it = hosts_.find(host_id);
    if (it == hosts_.end()) return NotFound("host " + host_id + " does not exist");
    return it->second;
  }

  Result<std::vector<providers::HostFacts>> ListHosts(const providers::ListHostsRequest& request) override {
    CDR_RETURN_IF_ERROR(Enter("ListHosts", request.zone));
    std::vector<providers::HostFacts> out;
    for (const auto& [id, h] : hosts_) {
      if (request.zone.empty() || h.zone == request.zone) out.push_back(h);
    }
    return out;
  }

  Result<providers::HostFacts> CreateHost(const providers::HostRequest& request) override {
    CDR_RETURN_IF_ERROR(Enter("CreateHost", request.name, request.client_token));
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

  Result<providers::Peering> CreatePeering(const providers::PeeringRequest& request) override {
    CDR_RETURN_IF_ERROR(Enter("CreatePeering", request.name, request.client_token));
    peering_requests_.push_back(request);
    if (auto it = peering_tokens_.find(request.client_token); it != peering_tokens_.end()) {
      if (auto p = peerings_.find(it->second); p != peerings_.end()) return p->second;
    }
    providers::Peering p{NextId("pcx-"),          request.name,    request.vpc,
                         request.production_zone, request.dr_zone, "active"};
    peering_tokens_[request.client_token] = p.id;
    return peerings_[p.id] = p;
  }
  Result<providers::Peering> DescribePeering(const std::string& id) override {
    CDR_RETURN_IF_ERROR(Enter("DescribePeering", id));
    auto it = peerings_.find(id);
    if (it == peerings_.end()) return NotFound("VPC peering " + id + " does not exist");
    return it->second;
  }
  Status DeletePeering(const std::string& id) override {
    CDR_RETURN_IF_ERROR(Enter("DeletePeering", id));
    peerings_.erase(id);
    return Status::Ok();
  }

  Result<providers::Endpoint> CreateEndpoint(const providers::EndpointRequest& request) override {
    CDR_RETURN_IF_ERROR(Enter("CreateEndpoint", request.name, request.client_token));
    if (auto it = endpoint_tokens_.find(request.client_token); it != endpoint_tokens_.end()) {
      if (auto e = endpoints_.find(it->second); e != endpoints_.end()) return e->second;
    }
    providers::Endpoint e{NextId("vpce-"), request.name, request.vpc, request.zone, "127.0.0.1", "available"};
    endpoint_tokens_[request.client_token] = e.id;
    return endpoints_[e.id] = e;
  }
  Result<providers::Endpoint> DescribeEndpoint(const std::string& id) override {
    CDR_RETURN_IF_ERROR(Enter("DescribeEndpoint", id));
    auto it = endpoints_.find(id);
    if (it == endpoints_.end()) return NotFound("VPC endpoint " + id + " does not exist");
    return it->second;
  }
  Status DeleteEndpoint(const std::string& id) override {
    CDR_RETURN_IF_ERROR(Enter("DeleteEndpoint", id));
    endpoints_.erase(id);
    return Status::Ok();
  }

  Result<providers::Agent> InstallAgent(const providers::AgentInstallRequest& request) override {
    CDR_RETURN_IF_ERROR(Enter("InstallAgent", request.host_id));
    if (!hosts_.count(request.host_id)) return NotFound("host " + request.host_id + " does not exist");
    if (auto it = agents_.find(request.host_id); it != agents_.end()) {
      if (it->second.status == "stopped") it->second = RunningAgent(it->second);  // installing again restarts it
      return it->second;
    }
    providers::Agent a{request.host_id, request.version.empty() ? "1.2.3" : request.version, "running",
                       1700000000000, request.group};
    return agents_[request.host_id] = RunningAgent(a);
  }
  Result<providers::AgentVersions> ListAgentVersions() override {
    CDR_RETURN_IF_ERROR(Enter("ListAgentVersions", ""));
    return providers::AgentVersions{{"1.2.3", "1.3.0"}, "1.2.3"};
  }
  Result<providers::Agent> UpgradeAgent(const providers::AgentUpgradeRequest& request) override {
    CDR_RETURN_IF_ERROR(Enter("UpgradeAgent", request.host_id + " " + request.version));
    auto it = agents_.find(request.host_id);
    if (it == agents_.end()) return NotFound("no agent on host " + request.host_id);
    it->second.version = request.version;
    return it->second = RunningAgent(it->second);
  }
  Result<providers::Agent> DescribeAgent(const std::string& host_id) override {
    CDR_RETURN_IF_ERROR(Enter("DescribeAgent", host_id));
    auto it = agents_.find(host_id);
    if (it == agents_.end()) return NotFound("no agent on host " + host_id);
    return it->second;
  }
  Status UninstallAgent(const std::string& host_id) override {
    CDR_RETURN_IF_ERROR(Enter("UninstallAgent", host_id));
    agents_.erase(host_id);
    return Status::Ok();
  }

  Result<providers::Agent> InstallReverseAgent(const providers::ReverseAgentRequest& request) override {
    CDR_RETURN_IF_ERROR(Enter("InstallReverseAgent", request.dr_host_id));
    auto dr = dr_hosts_.find(request.dr_host_id);
    if (dr == dr_hosts_.end()) return NotFound("DR host " + request.dr_host_id + " does not exist");
    if (!dr->second.standalone) return FailedPrecondition("DR host " + request.dr_host_id + " is not standalone");
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

  Result<providers::ShadowHost> CreateShadowHost(const providers::ShadowHostRequest& request) override {
    CDR_RETURN_IF_ERROR(Enter("CreateShadowHost", request.name, request.client_token));
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
  Result<providers::ShadowHost> DescribeShadowHost(const std::string& id) override {
    CDR_RETURN_IF_ERROR(Enter("DescribeShadowHost", id));
    auto it = shadow_hosts_.find(id);
    if (it == shadow_hosts_.end()) return NotFound("shadow host " + id + " does not exist");
    return it->second;
  }
  Status DeleteShadowHost(const std::string& id) override {
    CDR_RETURN_IF_ERROR(Enter("DeleteShadowHost", id));
    shadow_hosts_.erase(id);
    return Status::Ok();
  }

  Status SetRecoveryPolicy(const providers::RecoveryPolicyRequest& request) override {
    CDR_RETURN_IF_ERROR(Enter("SetRecoveryPolicy", request.server_id));
    policies_[request.server_id] = request;
    return Status::Ok();
  }
  Result<providers::RecoveryPoints> ListRecoveryPoints(const std::string& shadow_host_id,
                                                       const std::string& server_id) override {
    CDR_RETURN_IF_ERROR(Enter("ListRecoveryPoints", server_id));
    if (!shadow_hosts_.count(shadow_host_id)) return NotFound("shadow host " + shadow_host_id + " does not exist");
    return recovery_points_[server_id];
  }
  Status RequestRecoveryPoint(const providers::RecoveryPointRequest& request) override {
    CDR_RETURN_IF_ERROR(Enter("RequestRecoveryPoint", request.server_id + " " + request.id));
    recovery_points_[request.server_id].points.push_back({request.id, request.time_ns, "manual", 0});
    return Status::Ok();
  }
  Result<providers::DrHost> CreateDrHost(const providers::DrHostRequest& request) override {
    CDR_RETURN_IF_ERROR(Enter("CreateDrHost", request.name, request.client_token));
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
  Result<providers::DrHost> DescribeDrHost(const std::string& id) override {
    CDR_RETURN_IF_ERROR(Enter("DescribeDrHost", id));
    auto it = dr_hosts_.find(id);
    if (it == dr_hosts_.end()) return NotFound("DR host " + id + " does not exist");
    return it->second;
  }
  Status DeleteDrHost(const std::string& id) override {
    CDR_RETURN_IF_ERROR(Enter("DeleteDrHost", id));
    dr_hosts_.erase(id);
    return Status::Ok();
  }
  Result<providers::DrHost> DetachDrHost(const std::string& id) override {
    CDR_RETURN_IF_ERROR(Enter("DetachDrHost", id));
    auto it = dr_hosts_.find(id);
    if (it == dr_hosts_.end()) return NotFound("DR host " + id + " does not exist");
    it->second.standalone = true;
    return it->second;
  }

  Result<providers::DrHostCheckResult> CheckDrHost(const std::string& id, const providers::DrHostCheck& check) override {
    CDR_RETURN_IF_ERROR(Enter("CheckDrHost", id));
    if (!dr_hosts_.count(id)) return NotFound("DR host " + id + " does not exist");
    return check_result;
  }
  // What CheckDrHost answers.
  providers::DrHostCheckResult check_result{"passed", "fake check"};
  // A DR host whose process died, or that was deleted, outside cdr.
  void StopDrHostOutOfBand(const std::string& id) { dr_hosts_.at(id).status = "stopped"; }

  std::map<std::string, providers::RecoveryPolicyRequest>& policies() { return policies_; }
  std::map<std::string, providers::RecoveryPoints>& recovery_points() { return recovery_points_; }
  std::map<std::string, providers::DrHost>& dr_hosts() { return dr_hosts_; }

 private:
  // Refresh reads 16 at a time: the calls are recorded under a lock, in the order they came (reads of one
  // refresh in any order).
  Status Enter(const std::string& method, const std::string& key, const std::string& token = "") {
    Hook hook;
    {
      std::lock_guard lock(calls_mu_);
      calls_.push_back({method, key, token});
      auto it = hooks.find(method);
      if (it != hooks.end()) hook = it->second;
    }
    return hook ? hook(key) : Status::Ok();
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
  std::map<std::string, std::string> shadow_tokens_;  // client token → shadow host id
  std::map<std::string, providers::RecoveryPolicyRequest> policies_;  // by server id
  std::map<std::string, providers::RecoveryPoints> recovery_points_;  // by server id
  std::map<std::string, providers::DrHost> dr_hosts_;
  std::map<std::string, std::string> dr_tokens_;  // client token → DR host id
  std::vector<providers::PeeringRequest> peering_requests_;
  std::mutex calls_mu_;
  std::vector<FakeCall> calls_;
  unsigned next_id_ = 0;
};

}  // namespace cdr::reconcile::test_util
