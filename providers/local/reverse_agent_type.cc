// `reverse_agent`: failback's cdr-agent in front of a failed-over DR host's disks, known by the DR host's id.
#include "providers/local/local_resources.h"
#include "providers/resource_handlers.h"

namespace cdr::providers::local {

ResourceTypeDef ReverseAgentType(std::shared_ptr<LocalProvider> cloud) {
  ResourceTypeDef def{types::ReverseAgentSchema(), {}};
  def.handlers.create = Creator<ReverseAgentRequest>(
      [cloud](const ReverseAgentRequest& r) { return cloud->InstallReverseAgent(r); });
  def.handlers.read = [cloud](const std::string& id) { return AsJson(cloud->DescribeAgent(id)); };
  def.handlers.remove = [cloud](const std::string& id) { return cloud->UninstallAgent(id); };
  return def;
}

}  // namespace cdr::providers::local
