#include "providers/types/host.h"

#include "providers/resource_handlers.h"
#include "providers/typed_calls.h"

namespace cdr::providers::types {

TypeSchema HostSchema() { return SchemaOf<HostRequest>(ResourceType::kHost, {"name", "zone"}); }

Result<HostFacts> ReadHost(ResourceProvider& provider, const std::string& id) {
  return As<HostFacts>(provider.Read(Type(ResourceType::kHost), id), "host");
}

Result<std::vector<HostFacts>> ReadHosts(ResourceProvider& provider, const std::vector<std::string>& ids) {
  return ReadMany<HostFacts>(provider, ResourceType::kHost, ids, &HostFacts::id, "host");
}

Result<std::vector<HostFacts>> ListHosts(ResourceProvider& provider, const ListHostsRequest& request) {
  return As<std::vector<HostFacts>>(provider.List(Type(ResourceType::kHost), Json(request)), "host list");
}

Result<HostFacts> CreateHost(ResourceProvider& provider, const HostRequest& request) {
  return As<HostFacts>(provider.Create(Type(ResourceType::kHost), request.client_token, ConfigOf(request)),
                       "host");
}

}  // namespace cdr::providers::types
