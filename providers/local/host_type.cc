// `host`: the cloud's production hosts (read, list by zone) and the hosts a failback launches (create).
#include "providers/local/local_resources.h"
#include "providers/resource_handlers.h"

namespace cdr::providers::local {

ResourceTypeDef HostType(std::shared_ptr<LocalProvider> cloud) {
  ResourceTypeDef def{types::HostSchema(), {}};
  def.handlers.create = Creator<HostRequest>([cloud](const HostRequest& r) { return cloud->CreateHost(r); });
  def.handlers.read = [cloud](const std::string& id) { return AsJson(cloud->DescribeHost(id)); };
  def.handlers.list = [cloud](const Json& filter) -> Result<Json> {
    Result<ListHostsRequest> request = FromJson<ListHostsRequest>(filter, "filter");
    if (!request.ok()) return request.status();
    return AsJson(cloud->ListHosts(*request));
  };
  return def;
}

}  // namespace cdr::providers::local
