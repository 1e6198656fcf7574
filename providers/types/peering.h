// `peering`: the VPC peering between a group's production and DR zones. The type's one home (struct, JSON
// form, schema, typed calls), as providers/types/host.h describes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "providers/resource_provider.h"
#include "providers/resource_schema.h"

namespace cdr::providers {

struct PeeringRequest {
  std::string client_token;
  std::string name;  // "cdr-web-prod"
  std::string vpc;
  std::string production_zone;
  std::string dr_zone;
};

struct Peering {
  std::string id;  // "pcx-…"
  std::string name;
  std::string vpc;
  std::string production_zone;
  std::string dr_zone;
  std::string status;  // "active"
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PeeringRequest, client_token, name, vpc, production_zone,
                                                dr_zone)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Peering, id, name, vpc, production_zone, dr_zone, status)

namespace types {

TypeSchema PeeringSchema();

Result<Peering> CreatePeering(ResourceProvider& provider, const PeeringRequest& request);
Result<Peering> ReadPeering(ResourceProvider& provider, const std::string& id);  // kNotFound if gone
Status DeletePeering(ResourceProvider& provider, const std::string& id);         // a missing one is Ok

}  // namespace types
}  // namespace cdr::providers
