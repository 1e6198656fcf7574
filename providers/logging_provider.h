// A provider wrapper in the nbdkit-filter shape: it forwards every call to the provider it wraps and adds
// only logging, so an operator running with `cdr -v` sees each cloud change with its duration.
// Mutating calls are logged at debug; failures at info (the command reports them to the user itself), except
// a read's kNotFound, which is how the reconciler learns that a resource is gone and is logged at debug.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "providers/provider.h"

namespace cdr::providers {

class LoggingProvider : public Provider {
 public:
  explicit LoggingProvider(std::unique_ptr<Provider> next);

  std::string Name() const override { return next_->Name(); }

  Result<HostFacts> DescribeHost(const std::string& host_id) override;
  Result<std::vector<HostFacts>> ListHosts(const ListHostsRequest& request) override;

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
  Result<HostFacts> CreateHost(const HostRequest& request) override;

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
  std::unique_ptr<Provider> next_;
};

}  // namespace cdr::providers
