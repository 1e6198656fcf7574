// `peering`: the VPC peering between a group's production and DR zones.
#include "providers/local/local_resources.h"
#include "providers/resource_handlers.h"

namespace cdr::providers::local {

ResourceTypeDef PeeringType(std::shared_ptr<LocalProvider> cloud) {
  ResourceTypeDef def{types::PeeringSchema(), {}};
  def.handlers.create =
      Creator<PeeringRequest>([cloud](const PeeringRequest& r) { return cloud->CreatePeering(r); });
  def.handlers.read = [cloud](const std::string& id) { return AsJson(cloud->DescribePeering(id)); };
  def.handlers.remove = [cloud](const std::string& id) { return cloud->DeletePeering(id); };
  return def;
}

}  // namespace cdr::providers::local
