#include "providers/types/endpoint.h"

#include "providers/resource_handlers.h"
#include "providers/typed_calls.h"

namespace cdr::providers::types {

TypeSchema EndpointSchema() { return SchemaOf<EndpointRequest>(ResourceType::kEndpoint, {"vpc", "zone"}); }

Result<Endpoint> CreateEndpoint(ResourceProvider& provider, const EndpointRequest& request) {
  return As<Endpoint>(provider.Create(Type(ResourceType::kEndpoint), request.client_token, ConfigOf(request)),
                      "endpoint");
}

Result<Endpoint> ReadEndpoint(ResourceProvider& provider, const std::string& id) {
  return As<Endpoint>(provider.Read(Type(ResourceType::kEndpoint), id), "endpoint");
}

Status DeleteEndpoint(ResourceProvider& provider, const std::string& id) {
  return Deleted(provider.Delete(Type(ResourceType::kEndpoint), id));
}

}  // namespace cdr::providers::types
