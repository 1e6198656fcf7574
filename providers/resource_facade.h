// The typed Provider the reconciler calls, implemented once over any generic ResourceProvider (a provider
// program reached over HTTP): each typed call is one generic call on a type of resource_types.h, its request
// and result converted with resource_json.h. It keeps provider.h's contract where the generic one differs:
// deleting a gone resource is Ok here (the generic Delete says kNotFound). The batch reads (DescribeHosts, …)
// are one List with the filter {"ids": [...]} when the provider's schema says the type can be listed, a Read
// each otherwise.
//
//   reconcile ──typed call──► ResourceFacade ──Create/Read/List/Delete/Invoke(type, …)──►
//             ResourceProvider
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "providers/provider.h"
#include "providers/resource_provider.h"
#include "providers/resource_types.h"

namespace cdr::providers {

class ResourceFacade : public Provider {
 public:
  explicit ResourceFacade(std::unique_ptr<ResourceProvider> next);

  std::string Name() const override { return next_->Name(); }

  Result<HostFacts> DescribeHost(const std::string& host_id) override;
  Result<std::vector<HostFacts>> ListHosts(const ListHostsRequest& request) override;
  Result<HostFacts> CreateHost(const HostRequest& request) override;

  Result<Peering> CreatePeering(const PeeringRequest& request) override;
  Result<Peering> DescribePeering(const std::string& id) override;
  Status DeletePeering(const std::string& id) override;

  Result<Endpoint> CreateEndpoint(const EndpointRequest& request) override;
  Result<Endpoint> DescribeEndpoint(const std::string& id) override;
  Status DeleteEndpoint(const std::string& id) override;

  Result<Agent> InstallAgent(const AgentInstallRequest& request) override;
  Result<Agent> DescribeAgent(const std::string& host_id) override;
  Status UninstallAgent(const std::string& host_id) override;
  Result<Agent> InstallReverseAgent(const ReverseAgentRequest& request) override;
  Result<AgentVersions> ListAgentVersions() override;
  Result<Agent> UpgradeAgent(const AgentUpgradeRequest& request) override;

  Result<ShadowHost> CreateShadowHost(const ShadowHostRequest& request) override;
  Result<ShadowHost> DescribeShadowHost(const std::string& id) override;
  Status DeleteShadowHost(const std::string& id) override;

  Status SetRecoveryPolicy(const RecoveryPolicyRequest& request) override;
  Result<RecoveryPoints> ListRecoveryPoints(const std::string& shadow_host_id,
                                            const std::string& server_id) override;
  Status RequestRecoveryPoint(const RecoveryPointRequest& request) override;

  Result<DrHost> CreateDrHost(const DrHostRequest& request) override;
  Result<DrHost> DescribeDrHost(const std::string& id) override;
  Status DeleteDrHost(const std::string& id) override;
  Result<DrHost> DetachDrHost(const std::string& id) override;
  Result<DrHostCheckResult> CheckDrHost(const std::string& id, const DrHostCheck& check) override;

  Result<std::vector<HostFacts>> DescribeHosts(const std::vector<std::string>& ids) override;
  Result<std::vector<Agent>> DescribeAgents(const std::vector<std::string>& host_ids) override;
  Result<std::vector<ShadowHost>> DescribeShadowHosts(const std::vector<std::string>& ids) override;

 private:
  template <typename T>
  Result<std::vector<T>> ReadMany(ResourceType type, const std::vector<std::string>& ids, std::string T::*id,
                                  const std::string& what);

  std::unique_ptr<ResourceProvider> next_;
  std::set<std::string, std::less<>> listable_;  // the types whose schema has the list call
};

}  // namespace cdr::providers
