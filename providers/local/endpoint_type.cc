// `endpoint`: how a group's protected hosts reach the DR zone.
#include "providers/local/local_resources.h"
#include "providers/resource_handlers.h"

namespace cdr::providers::local {

ResourceTypeDef EndpointType(std::shared_ptr<LocalProvider> cloud) {
  ResourceTypeDef def{types::EndpointSchema(), {}};
  def.handlers.create =
      Creator<EndpointRequest>([cloud](const EndpointRequest& r) { return cloud->CreateEndpoint(r); });
  def.handlers.read = [cloud](const std::string& id) { return AsJson(cloud->DescribeEndpoint(id)); };
  def.handlers.remove = [cloud](const std::string& id) { return cloud->DeleteEndpoint(id); };
  return def;
}

}  // namespace cdr::providers::local
