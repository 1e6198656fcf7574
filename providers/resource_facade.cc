#include "providers/resource_facade.h"

#include <algorithm>

#include "providers/resource_json.h"
#include "providers/resource_types.h"

namespace cdr::providers {
namespace {

std::string Type(ResourceType type) { return std::string(TypeName(type)); }
std::string Op(Operation op) { return std::string(OperationName(op)); }

// A generic result as the typed struct; a provider that answers with the wrong shape is kInternal.
template <typename T>
Result<T> As(Result<Json> json, const std::string& what) {
  if (!json.ok()) return json.status();
  Result<T> typed = FromJson<T>(*json, what);
  if (!typed.ok()) return Internal("the provider answered with a malformed " + typed.status().message());
  return typed;
}

Status StatusOf(const Result<Json>& json) { return json.status(); }

// A request struct as a create's config: its JSON form without the client token, which travels beside it.
template <typename Request>
Json ConfigOf(const Request& request) {
  Json config = request;
  config.erase("client_token");
  return config;
}

// Generic Delete says kNotFound for a gone resource; provider.h's callers treat that as done.
Status Deleted(const Status& status) {
  return status.code() == StatusCode::kNotFound ? Status::Ok() : status;
}

// A list request's ids stay far below the protocol's 1 MiB request body.
constexpr size_t kMaxIdsPerList = 1000;

}  // namespace

ResourceFacade::ResourceFacade(std::unique_ptr<ResourceProvider> next) : next_(std::move(next)) {
  // A schema that cannot be read lists nothing: the batch reads then read one resource at a time.
  Result<ProviderSchema> schema = next_->Schema();
  if (!schema.ok()) return;
  for (const TypeSchema& type : schema->types)
    if (type.Supports(ResourceCall::kList)) listable_.insert(type.name);
}

template <typename T>
Result<std::vector<T>> ResourceFacade::ReadMany(ResourceType type, const std::vector<std::string>& ids,
                                                std::string T::*id, const std::string& what) {
  std::vector<T> found;
  if (!listable_.count(TypeName(type))) {
    for (const std::string& one : ids) {
      Result<T> read = As<T>(next_->Read(Type(type), one), what);
      if (read.ok()) {
        found.push_back(std::move(*read));
      } else if (read.status().code() != StatusCode::kNotFound) {
        return read.status();
      }
    }
    return found;
  }
  // A provider that ignores the filter answers with more: only the ids asked are kept.
  const std::set<std::string> asked(ids.begin(), ids.end());
  for (size_t at = 0; at < ids.size(); at += kMaxIdsPerList) {
    const size_t end = std::min(ids.size(), at + kMaxIdsPerList);
    const Json filter = {{"ids", std::vector<std::string>(ids.begin() + at, ids.begin() + end)}};
    Result<std::vector<T>> slice = As<std::vector<T>>(next_->List(Type(type), filter), what + " list");
    if (!slice.ok()) return slice.status();
    for (T& resource : *slice)
      if (asked.count(resource.*id)) found.push_back(std::move(resource));
  }
  return found;
}

Result<std::vector<HostFacts>> ResourceFacade::DescribeHosts(const std::vector<std::string>& ids) {
  return ReadMany<HostFacts>(ResourceType::kHost, ids, &HostFacts::id, "host");
}

Result<std::vector<Agent>> ResourceFacade::DescribeAgents(const std::vector<std::string>& host_ids) {
  return ReadMany<Agent>(ResourceType::kAgent, host_ids, &Agent::host_id, "agent");
}

Result<std::vector<ShadowHost>> ResourceFacade::DescribeShadowHosts(const std::vector<std::string>& ids) {
  return ReadMany<ShadowHost>(ResourceType::kShadowHost, ids, &ShadowHost::id, "shadow host");
}

Result<HostFacts> ResourceFacade::DescribeHost(const std::string& host_id) {
  return As<HostFacts>(next_->Read(Type(ResourceType::kHost), host_id), "host");
}

Result<std::vector<HostFacts>> ResourceFacade::ListHosts(const ListHostsRequest& request) {
  return As<std::vector<HostFacts>>(next_->List(Type(ResourceType::kHost), Json(request)), "host list");
}

Result<HostFacts> ResourceFacade::CreateHost(const HostRequest& request) {
  return As<HostFacts>(next_->Create(Type(ResourceType::kHost), request.client_token, ConfigOf(request)),
                       "host");
}

Result<Peering> ResourceFacade::CreatePeering(const PeeringRequest& request) {
  return As<Peering>(next_->Create(Type(ResourceType::kPeering), request.client_token, ConfigOf(request)),
                     "peering");
}

Result<Peering> ResourceFacade::DescribePeering(const std::string& id) {
  return As<Peering>(next_->Read(Type(ResourceType::kPeering), id), "peering");
}

Status ResourceFacade::DeletePeering(const std::string& id) {
  return Deleted(next_->Delete(Type(ResourceType::kPeering), id));
}

Result<Endpoint> ResourceFacade::CreateEndpoint(const EndpointRequest& request) {
  return As<Endpoint>(next_->Create(Type(ResourceType::kEndpoint), request.client_token, ConfigOf(request)),
                      "endpoint");
}

Result<Endpoint> ResourceFacade::DescribeEndpoint(const std::string& id) {
  return As<Endpoint>(next_->Read(Type(ResourceType::kEndpoint), id), "endpoint");
}

Status ResourceFacade::DeleteEndpoint(const std::string& id) {
  return Deleted(next_->Delete(Type(ResourceType::kEndpoint), id));
}

// Installing is idempotent per host: the host id is the client token.
Result<Agent> ResourceFacade::InstallAgent(const AgentInstallRequest& request) {
  return As<Agent>(next_->Create(Type(ResourceType::kAgent), request.host_id, ConfigOf(request)), "agent");
}

Result<Agent> ResourceFacade::DescribeAgent(const std::string& host_id) {
  return As<Agent>(next_->Read(Type(ResourceType::kAgent), host_id), "agent");
}

Status ResourceFacade::UninstallAgent(const std::string& host_id) {
  return Deleted(next_->Delete(Type(ResourceType::kAgent), host_id));
}

Result<Agent> ResourceFacade::InstallReverseAgent(const ReverseAgentRequest& request) {
  return As<Agent>(next_->Create(Type(ResourceType::kReverseAgent), request.dr_host_id, ConfigOf(request)),
                   "agent");
}

Result<AgentVersions> ResourceFacade::ListAgentVersions() {
  Result<Json> list = next_->List(Type(ResourceType::kAgentVersion), Json::object());
  if (!list.ok()) return list.status();
  if (!list->is_array())
    return Internal("the provider answered with an agent version list that is not a list");
  AgentVersions versions;
  for (const Json& v : *list) {
    if (!v.is_object() || !v.contains("version") || !v["version"].is_string())
      return Internal("the provider answered with an agent version without a \"version\" string");
    versions.offered.push_back(v["version"]);
    if (v.value("default", false)) versions.default_version = v["version"];
  }
  std::sort(versions.offered.begin(), versions.offered.end());
  return versions;
}

Result<Agent> ResourceFacade::UpgradeAgent(const AgentUpgradeRequest& request) {
  return As<Agent>(next_->Invoke(Type(ResourceType::kAgent), request.host_id, Op(Operation::kUpgrade),
                                 {{"version", request.version}}),
                   "agent");
}

Result<ShadowHost> ResourceFacade::CreateShadowHost(const ShadowHostRequest& request) {
  return As<ShadowHost>(
      next_->Create(Type(ResourceType::kShadowHost), request.client_token, ConfigOf(request)), "shadow host");
}

Result<ShadowHost> ResourceFacade::DescribeShadowHost(const std::string& id) {
  return As<ShadowHost>(next_->Read(Type(ResourceType::kShadowHost), id), "shadow host");
}

Status ResourceFacade::DeleteShadowHost(const std::string& id) {
  return Deleted(next_->Delete(Type(ResourceType::kShadowHost), id));
}

Status ResourceFacade::SetRecoveryPolicy(const RecoveryPolicyRequest& request) {
  Json args = request;
  args.erase("shadow_host_id");
  return StatusOf(next_->Invoke(Type(ResourceType::kShadowHost), request.shadow_host_id,
                                Op(Operation::kSetRecoveryPolicy), args));
}

Result<RecoveryPoints> ResourceFacade::ListRecoveryPoints(const std::string& shadow_host_id,
                                                          const std::string& server_id) {
  return As<RecoveryPoints>(next_->Invoke(Type(ResourceType::kShadowHost), shadow_host_id,
                                          Op(Operation::kRecoveryPoints), {{"server_id", server_id}}),
                            "recovery point list");
}

Status ResourceFacade::RequestRecoveryPoint(const RecoveryPointRequest& request) {
  Json args = request;
  args.erase("shadow_host_id");
  return StatusOf(next_->Invoke(Type(ResourceType::kShadowHost), request.shadow_host_id,
                                Op(Operation::kRequestRecoveryPoint), args));
}

Result<DrHost> ResourceFacade::CreateDrHost(const DrHostRequest& request) {
  return As<DrHost>(next_->Create(Type(ResourceType::kDrHost), request.client_token, ConfigOf(request)),
                    "DR host");
}

Result<DrHost> ResourceFacade::DescribeDrHost(const std::string& id) {
  return As<DrHost>(next_->Read(Type(ResourceType::kDrHost), id), "DR host");
}

Status ResourceFacade::DeleteDrHost(const std::string& id) {
  return Deleted(next_->Delete(Type(ResourceType::kDrHost), id));
}

Result<DrHost> ResourceFacade::DetachDrHost(const std::string& id) {
  return As<DrHost>(next_->Invoke(Type(ResourceType::kDrHost), id, Op(Operation::kDetach), Json::object()),
                    "DR host");
}

Result<DrHostCheckResult> ResourceFacade::CheckDrHost(const std::string& id, const DrHostCheck& check) {
  return As<DrHostCheckResult>(
      next_->Invoke(Type(ResourceType::kDrHost), id, Op(Operation::kCheck), Json(check)), "check result");
}

}  // namespace cdr::providers
