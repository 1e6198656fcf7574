// `endpoint`: how a group's protected hosts reach the DR zone. The type's one home (struct, JSON form,
// schema, typed calls), as providers/types/host.h describes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "providers/resource_provider.h"
#include "providers/resource_schema.h"

namespace cdr::providers {

struct EndpointRequest {
  std::string client_token;
  std::string name;
  std::string vpc;
  std::string zone;  // the DR zone: the endpoint is how protected hosts reach the DR side
};

struct Endpoint {
  std::string id;  // "vpce-…"
  std::string name;
  std::string vpc;
  std::string zone;
  std::string address;  // "127.0.0.1" in the local provider
  std::string status;   // "available"
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EndpointRequest, client_token, name, vpc, zone)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Endpoint, id, name, vpc, zone, address, status)

namespace types {

TypeSchema EndpointSchema();

Result<Endpoint> CreateEndpoint(ResourceProvider& provider, const EndpointRequest& request);
Result<Endpoint> ReadEndpoint(ResourceProvider& provider, const std::string& id);  // kNotFound if gone
Status DeleteEndpoint(ResourceProvider& provider, const std::string& id);          // a missing one is Ok

}  // namespace types
}  // namespace cdr::providers
