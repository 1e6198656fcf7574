#include "providers/types/dr_host.h"

#include "providers/resource_handlers.h"
#include "providers/typed_calls.h"

namespace cdr::providers::types {

// Nothing required: a standalone DR host (its shadow host gone after a confirmed failover) is started again
// by a create that carries only its client token.
TypeSchema DrHostSchema() { return SchemaOf<DrHostRequest>(ResourceType::kDrHost, {}); }

Result<DrHost> CreateDrHost(ResourceProvider& provider, const DrHostRequest& request) {
  return As<DrHost>(provider.Create(Type(ResourceType::kDrHost), request.client_token, ConfigOf(request)),
                    "DR host");
}

Result<DrHost> ReadDrHost(ResourceProvider& provider, const std::string& id) {
  return As<DrHost>(provider.Read(Type(ResourceType::kDrHost), id), "DR host");
}

Status DeleteDrHost(ResourceProvider& provider, const std::string& id) {
  return Deleted(provider.Delete(Type(ResourceType::kDrHost), id));
}

Result<DrHost> DetachDrHost(ResourceProvider& provider, const std::string& id) {
  return As<DrHost>(provider.Invoke(Type(ResourceType::kDrHost), id, Op(Operation::kDetach), Json::object()),
                    "DR host");
}

Result<DrHostCheckResult> CheckDrHost(ResourceProvider& provider, const std::string& id,
                                      const DrHostCheck& check) {
  return As<DrHostCheckResult>(
      provider.Invoke(Type(ResourceType::kDrHost), id, Op(Operation::kCheck), Json(check)), "check result");
}

}  // namespace cdr::providers::types
