#include "providers/types/peering.h"

#include "providers/resource_handlers.h"
#include "providers/typed_calls.h"

namespace cdr::providers::types {

TypeSchema PeeringSchema() {
  return SchemaOf<PeeringRequest>(ResourceType::kPeering, {"vpc", "production_zone", "dr_zone"});
}

Result<Peering> CreatePeering(ResourceProvider& provider, const PeeringRequest& request) {
  return As<Peering>(provider.Create(Type(ResourceType::kPeering), request.client_token, ConfigOf(request)),
                     "peering");
}

Result<Peering> ReadPeering(ResourceProvider& provider, const std::string& id) {
  return As<Peering>(provider.Read(Type(ResourceType::kPeering), id), "peering");
}

Status DeletePeering(ResourceProvider& provider, const std::string& id) {
  return Deleted(provider.Delete(Type(ResourceType::kPeering), id));
}

}  // namespace cdr::providers::types
