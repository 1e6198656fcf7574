#include "providers/types/shadow_host.h"

#include "providers/resource_handlers.h"
#include "providers/typed_calls.h"

namespace cdr::providers::types {

TypeSchema ShadowHostSchema() {
  return SchemaOf<ShadowHostRequest>(ResourceType::kShadowHost, {"zone", "server_id"});
}

Result<ShadowHost> CreateShadowHost(ResourceProvider& provider, const ShadowHostRequest& request) {
  return As<ShadowHost>(
      provider.Create(Type(ResourceType::kShadowHost), request.client_token, ConfigOf(request)),
      "shadow host");
}

Result<ShadowHost> ReadShadowHost(ResourceProvider& provider, const std::string& id) {
  return As<ShadowHost>(provider.Read(Type(ResourceType::kShadowHost), id), "shadow host");
}

Result<std::vector<ShadowHost>> ReadShadowHosts(ResourceProvider& provider,
                                                const std::vector<std::string>& ids) {
  return ReadMany<ShadowHost>(provider, ResourceType::kShadowHost, ids, &ShadowHost::id, "shadow host");
}

Status DeleteShadowHost(ResourceProvider& provider, const std::string& id) {
  return Deleted(provider.Delete(Type(ResourceType::kShadowHost), id));
}

}  // namespace cdr::providers::types
