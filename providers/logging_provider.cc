#include "providers/logging_provider.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <string_view>

namespace cdr::providers {
namespace {

enum class Kind { kRead, kMutation };

const Status& StatusOf(const Status& status) { return status; }
template <typename T>
const Status& StatusOf(const Result<T>& result) {
  return result.status();
}

// Runs `call`, then logs it: "provider local: CreatePeering cdr-web-prod → OK (12 ms)".
template <typename Call>
auto Logged(const Provider& next, Kind kind, std::string_view method, std::string_view key, Call&& call) {
  const auto start = std::chrono::steady_clock::now();
  auto result = call();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  const Status& status = StatusOf(result);
  const bool expected_absence = kind == Kind::kRead && status.code() == StatusCode::kNotFound;
  if (!status.ok() && !expected_absence) {
    spdlog::info("provider {}: {} {} failed after {} ms: {}", next.Name(), method, key, ms,
                 status.ToString());
  } else if (kind == Kind::kMutation || expected_absence) {
    spdlog::debug("provider {}: {} {} → {} ({} ms)", next.Name(), method, key, StatusCodeName(status.code()),
                  ms);
  }
  return result;
}

}  // namespace

LoggingProvider::LoggingProvider(std::unique_ptr<Provider> next) : next_(std::move(next)) {}

Result<HostFacts> LoggingProvider::DescribeHost(const std::string& host_id) {
  return Logged(*next_, Kind::kRead, "DescribeHost", host_id, [&] { return next_->DescribeHost(host_id); });
}

Result<std::vector<HostFacts>> LoggingProvider::ListHosts(const ListHostsRequest& request) {
  return Logged(*next_, Kind::kRead, "ListHosts", request.zone.empty() ? "(all zones)" : request.zone,
                [&] { return next_->ListHosts(request); });
}

Result<Peering> LoggingProvider::CreatePeering(const PeeringRequest& request) {
  return Logged(*next_, Kind::kMutation, "CreatePeering", request.name,
                [&] { return next_->CreatePeering(request); });
}

Result<Peering> LoggingProvider::DescribePeering(const std::string& id) {
  return Logged(*next_, Kind::kRead, "DescribePeering", id, [&] { return next_->DescribePeering(id); });
}

Status LoggingProvider::DeletePeering(const std::string& id) {
  return Logged(*next_, Kind::kMutation, "DeletePeering", id, [&] { return next_->DeletePeering(id); });
}

Result<Endpoint> LoggingProvider::CreateEndpoint(const EndpointRequest& request) {
  return Logged(*next_, Kind::kMutation, "CreateEndpoint", request.name,
                [&] { return next_->CreateEndpoint(request); });
}

Result<Endpoint> LoggingProvider::DescribeEndpoint(const std::string& id) {
  return Logged(*next_, Kind::kRead, "DescribeEndpoint", id, [&] { return next_->DescribeEndpoint(id); });
}

Status LoggingProvider::DeleteEndpoint(const std::string& id) {
  return Logged(*next_, Kind::kMutation, "DeleteEndpoint", id, [&] { return next_->DeleteEndpoint(id); });
}

Result<Agent> LoggingProvider::InstallAgent(const AgentInstallRequest& request) {
  return Logged(*next_, Kind::kMutation, "InstallAgent", request.host_id,
                [&] { return next_->InstallAgent(request); });
}

Result<Agent> LoggingProvider::DescribeAgent(const std::string& host_id) {
  return Logged(*next_, Kind::kRead, "DescribeAgent", host_id, [&] { return next_->DescribeAgent(host_id); });
}

Status LoggingProvider::UninstallAgent(const std::string& host_id) {
  return Logged(*next_, Kind::kMutation, "UninstallAgent", host_id,
                [&] { return next_->UninstallAgent(host_id); });
}

Result<Agent> LoggingProvider::InstallReverseAgent(const ReverseAgentRequest& request) {
  return Logged(*next_, Kind::kMutation, "InstallReverseAgent", request.dr_host_id,
                [&] { return next_->InstallReverseAgent(request); });
}

Result<AgentVersions> LoggingProvider::ListAgentVersions() {
  return Logged(*next_, Kind::kRead, "ListAgentVersions", "", [&] { return next_->ListAgentVersions(); });
}

Result<Agent> LoggingProvider::UpgradeAgent(const AgentUpgradeRequest& request) {
  return Logged(*next_, Kind::kMutation, "UpgradeAgent", request.host_id + " to " + request.version,
                [&] { return next_->UpgradeAgent(request); });
}

Result<HostFacts> LoggingProvider::CreateHost(const HostRequest& request) {
  return Logged(*next_, Kind::kMutation, "CreateHost", request.name, [&] { return next_->CreateHost(request); });
}

Result<ShadowHost> LoggingProvider::CreateShadowHost(const ShadowHostRequest& request) {
  return Logged(*next_, Kind::kMutation, "CreateShadowHost", request.name,
                [&] { return next_->CreateShadowHost(request); });
}

Result<ShadowHost> LoggingProvider::DescribeShadowHost(const std::string& id) {
  return Logged(*next_, Kind::kRead, "DescribeShadowHost", id, [&] { return next_->DescribeShadowHost(id); });
}

Status LoggingProvider::DeleteShadowHost(const std::string& id) {
  return Logged(*next_, Kind::kMutation, "DeleteShadowHost", id, [&] { return next_->DeleteShadowHost(id); });
}

Status LoggingProvider::SetRecoveryPolicy(const RecoveryPolicyRequest& request) {
  return Logged(*next_, Kind::kMutation, "SetRecoveryPolicy", request.server_id,
                [&] { return next_->SetRecoveryPolicy(request); });
}

Result<RecoveryPoints> LoggingProvider::ListRecoveryPoints(const std::string& shadow_host_id,
                                                           const std::string& server_id) {
  return Logged(*next_, Kind::kRead, "ListRecoveryPoints", server_id,
                [&] { return next_->ListRecoveryPoints(shadow_host_id, server_id); });
}

Status LoggingProvider::RequestRecoveryPoint(const RecoveryPointRequest& request) {
  return Logged(*next_, Kind::kMutation, "RequestRecoveryPoint", request.server_id + " " + request.id,
                [&] { return next_->RequestRecoveryPoint(request); });
}

Result<DrHost> LoggingProvider::CreateDrHost(const DrHostRequest& request) {
  return Logged(*next_, Kind::kMutation, "CreateDrHost", request.name,
                [&] { return next_->CreateDrHost(request); });
}

Result<DrHost> LoggingProvider::DescribeDrHost(const std::string& id) {
  return Logged(*next_, Kind::kRead, "DescribeDrHost", id, [&] { return next_->DescribeDrHost(id); });
}

Status LoggingProvider::DeleteDrHost(const std::string& id) {
  return Logged(*next_, Kind::kMutation, "DeleteDrHost", id, [&] { return next_->DeleteDrHost(id); });
}

Result<DrHost> LoggingProvider::DetachDrHost(const std::string& id) {
  return Logged(*next_, Kind::kMutation, "DetachDrHost", id, [&] { return next_->DetachDrHost(id); });
}

Result<DrHostCheckResult> LoggingProvider::CheckDrHost(const std::string& id, const DrHostCheck& check) {
  return Logged(*next_, Kind::kRead, "CheckDrHost", id + " " + check.kind,
                [&] { return next_->CheckDrHost(id, check); });
}

namespace {
std::string CountOf(const std::vector<std::string>& ids, const char* what) {
  return std::to_string(ids.size()) + " " + what;
}
}  // namespace

Result<std::vector<HostFacts>> LoggingProvider::DescribeHosts(const std::vector<std::string>& ids) {
  return Logged(*next_, Kind::kRead, "DescribeHosts", CountOf(ids, "hosts"),
                [&] { return next_->DescribeHosts(ids); });
}

Result<std::vector<Agent>> LoggingProvider::DescribeAgents(const std::vector<std::string>& host_ids) {
  return Logged(*next_, Kind::kRead, "DescribeAgents", CountOf(host_ids, "hosts"),
                [&] { return next_->DescribeAgents(host_ids); });
}

Result<std::vector<ShadowHost>> LoggingProvider::DescribeShadowHosts(const std::vector<std::string>& ids) {
  return Logged(*next_, Kind::kRead, "DescribeShadowHosts", CountOf(ids, "shadow hosts"),
                [&] { return next_->DescribeShadowHosts(ids); });
}

}  // namespace cdr::providers
