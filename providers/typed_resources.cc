#include "providers/typed_resources.h"

#include <algorithm>
#include <set>
#include <utility>

#include "providers/resource_json.h"
#include "providers/resource_types.h"

namespace cdr::providers {
namespace {

std::optional<AttributeType> TypeOfJson(const Json& value) {
  if (value.is_string()) return AttributeType::kString;
  if (value.is_number_integer()) return AttributeType::kInteger;
  if (value.is_boolean()) return AttributeType::kBoolean;
  if (value.is_object()) return AttributeType::kObject;
  if (value.is_array()) return AttributeType::kList;
  return std::nullopt;
}

// The attributes of a request struct: its JSON form's fields with their JSON types; the client token travels
// beside the config, not in it.
template <typename Request>
TypeSchema SchemaOf(ResourceType type, std::set<std::string> required) {
  TypeSchema schema;
  schema.name = std::string(TypeName(type));
  const Json example = Request{};
  for (const auto& [name, value] : example.items()) {
    if (name == "client_token") continue;
    schema.config.push_back(
        {name, TypeOfJson(value).value_or(AttributeType::kString), required.count(name) > 0});
  }
  return schema;
}

// A request struct from a create's config and token, for requests that carry one.
template <typename Request>
Result<Request> RequestFrom(const Json& config, const std::string& client_token) {
  Json with_token = config;
  if (Json(Request{}).contains("client_token")) with_token["client_token"] = client_token;
  return FromJson<Request>(with_token, "configuration");
}

// The typed call's result as JSON (a Status alone becomes an empty object).
template <typename T>
Result<Json> AsJson(Result<T> result) {
  if (!result.ok()) return result.status();
  return Json(*result);
}
Result<Json> AsJson(const Status& status) {
  if (!status.ok()) return status;
  return Json::object();
}

// create(config) → call(Request) for the common shape.
template <typename Request, typename Call>
auto Creator(Call call) {
  return [call](const std::string& token, const Json& config) -> Result<Json> {
    Result<Request> request = RequestFrom<Request>(config, token);
    if (!request.ok()) return request.status();
    return AsJson(call(*request));
  };
}

// An operation's arguments as a request struct whose `id_field` is the resource's id.
template <typename Request, typename Call>
auto OperationOn(const char* id_field, Call call) {
  return [id_field, call](const std::string& id, const Json& args) -> Result<Json> {
    Json with_id = args;
    with_id[id_field] = id;
    Result<Request> request = FromJson<Request>(with_id, "arguments");
    if (!request.ok()) return request.status();
    return AsJson(call(*request));
  };
}

ResourceTypeDef HostType(std::shared_ptr<Provider> p) {
  ResourceTypeDef def{SchemaOf<HostRequest>(ResourceType::kHost, {"name", "zone"}), {}};
  def.handlers.create = Creator<HostRequest>([p](const HostRequest& r) { return p->CreateHost(r); });
  def.handlers.read = [p](const std::string& id) { return AsJson(p->DescribeHost(id)); };
  def.handlers.list = [p](const Json& filter) -> Result<Json> {
    Result<ListHostsRequest> request = FromJson<ListHostsRequest>(filter, "filter");
    if (!request.ok()) return request.status();
    return AsJson(p->ListHosts(*request));
  };
  return def;
}

ResourceTypeDef PeeringType(std::shared_ptr<Provider> p) {
  ResourceTypeDef def{SchemaOf<PeeringRequest>(ResourceType::kPeering, {"vpc", "production_zone", "dr_zone"}),
                      {}};
  def.handlers.create = Creator<PeeringRequest>([p](const PeeringRequest& r) { return p->CreatePeering(r); });
  def.handlers.read = [p](const std::string& id) { return AsJson(p->DescribePeering(id)); };
  def.handlers.remove = [p](const std::string& id) { return p->DeletePeering(id); };
  return def;
}

ResourceTypeDef EndpointType(std::shared_ptr<Provider> p) {
  ResourceTypeDef def{SchemaOf<EndpointRequest>(ResourceType::kEndpoint, {"vpc", "zone"}), {}};
  def.handlers.create =
      Creator<EndpointRequest>([p](const EndpointRequest& r) { return p->CreateEndpoint(r); });
  def.handlers.read = [p](const std::string& id) { return AsJson(p->DescribeEndpoint(id)); };
  def.handlers.remove = [p](const std::string& id) { return p->DeleteEndpoint(id); };
  return def;
}

ResourceTypeDef AgentType(std::shared_ptr<Provider> p) {
  ResourceTypeDef def{SchemaOf<AgentInstallRequest>(ResourceType::kAgent, {"host_id"}), {}};
  def.handlers.create =
      Creator<AgentInstallRequest>([p](const AgentInstallRequest& r) { return p->InstallAgent(r); });
  def.handlers.read = [p](const std::string& id) { return AsJson(p->DescribeAgent(id)); };
  def.handlers.remove = [p](const std::string& id) { return p->UninstallAgent(id); };
  def.handlers.operations[std::string(OperationName(Operation::kUpgrade))] = OperationOn<AgentUpgradeRequest>(
      "host_id", [p](const AgentUpgradeRequest& r) { return p->UpgradeAgent(r); });
  return def;
}

ResourceTypeDef ReverseAgentType(std::shared_ptr<Provider> p) {
  ResourceTypeDef def{SchemaOf<ReverseAgentRequest>(ResourceType::kReverseAgent, {"dr_host_id"}), {}};
  def.handlers.create =
      Creator<ReverseAgentRequest>([p](const ReverseAgentRequest& r) { return p->InstallReverseAgent(r); });
  def.handlers.read = [p](const std::string& id) { return AsJson(p->DescribeAgent(id)); };
  def.handlers.remove = [p](const std::string& id) { return p->UninstallAgent(id); };
  return def;
}

// The releases as resources: {"version": "0.6.0", "default": false}, sorted.
ResourceTypeDef AgentVersionType(std::shared_ptr<Provider> p) {
  TypeSchema schema;
  schema.name = std::string(TypeName(ResourceType::kAgentVersion));
  ResourceTypeDef def{schema, {}};
  def.handlers.list = [p](const Json&) -> Result<Json> {
    Result<AgentVersions> versions = p->ListAgentVersions();
    if (!versions.ok()) return versions.status();
    Json list = Json::array();
    for (const std::string& v : versions->offered)
      list.push_back({{"version", v}, {"default", v == versions->default_version}});
    return list;
  };
  return def;
}

ResourceTypeDef ShadowHostType(std::shared_ptr<Provider> p) {
  ResourceTypeDef def{SchemaOf<ShadowHostRequest>(ResourceType::kShadowHost, {"zone", "server_id"}), {}};
  def.handlers.create =
      Creator<ShadowHostRequest>([p](const ShadowHostRequest& r) { return p->CreateShadowHost(r); });
  def.handlers.read = [p](const std::string& id) { return AsJson(p->DescribeShadowHost(id)); };
  def.handlers.remove = [p](const std::string& id) { return p->DeleteShadowHost(id); };
  auto& ops = def.handlers.operations;
  ops[std::string(OperationName(Operation::kSetRecoveryPolicy))] = OperationOn<RecoveryPolicyRequest>(
      "shadow_host_id", [p](const RecoveryPolicyRequest& r) { return p->SetRecoveryPolicy(r); });
  ops[std::string(OperationName(Operation::kRequestRecoveryPoint))] = OperationOn<RecoveryPointRequest>(
      "shadow_host_id", [p](const RecoveryPointRequest& r) { return p->RequestRecoveryPoint(r); });
  ops[std::string(OperationName(Operation::kRecoveryPoints))] = OperationOn<RecoveryPolicyRequest>(
      "shadow_host_id",
      [p](const RecoveryPolicyRequest& r) { return p->ListRecoveryPoints(r.shadow_host_id, r.server_id); });
  return def;
}

ResourceTypeDef DrHostType(std::shared_ptr<Provider> p) {
  // Nothing required: a standalone DR host (its shadow host gone after a confirmed failover) is started again
  // by a create that carries only its client token.
  ResourceTypeDef def{SchemaOf<DrHostRequest>(ResourceType::kDrHost, {}), {}};
  def.handlers.create = Creator<DrHostRequest>([p](const DrHostRequest& r) { return p->CreateDrHost(r); });
  def.handlers.read = [p](const std::string& id) { return AsJson(p->DescribeDrHost(id)); };
  def.handlers.remove = [p](const std::string& id) { return p->DeleteDrHost(id); };
  auto& ops = def.handlers.operations;
  ops[std::string(OperationName(Operation::kDetach))] = [p](const std::string& id, const Json&) {
    return AsJson(p->DetachDrHost(id));
  };
  ops[std::string(OperationName(Operation::kCheck))] = [p](const std::string& id,
                                                           const Json& args) -> Result<Json> {
    Result<DrHostCheck> check = FromJson<DrHostCheck>(args, "arguments");
    if (!check.ok()) return check.status();
    return AsJson(p->CheckDrHost(id, *check));
  };
  return def;
}

}  // namespace

std::unique_ptr<ResourceTypeRegistry> ServeTypedProvider(std::shared_ptr<Provider> provider) {
  std::vector<ResourceTypeDef> types;
  for (auto make : {HostType, PeeringType, EndpointType, AgentType, ReverseAgentType, AgentVersionType,
                    ShadowHostType, DrHostType})
    types.push_back(make(provider));
  const std::string name = provider->Name();
  return std::make_unique<ResourceTypeRegistry>(name, std::move(types));
}

}  // namespace cdr::providers
