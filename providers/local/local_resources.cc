#include "providers/local/local_resources.h"

#include <utility>
#include <vector>

namespace cdr::providers::local {

std::unique_ptr<ResourceTypeRegistry> LocalResources(std::shared_ptr<LocalProvider> cloud) {
  std::vector<ResourceTypeDef> types;
  for (auto make : {HostType, PeeringType, EndpointType, AgentType, ReverseAgentType, AgentVersionType,
                    ShadowHostType, DrHostType})
    types.push_back(make(cloud));
  return std::make_unique<ResourceTypeRegistry>("local", std::move(types));
}

Result<std::unique_ptr<ResourceTypeRegistry>> OpenLocalResources(const std::filesystem::path& root,
                                                                 bool insecure) {
  auto cloud = LocalProvider::Open(root, insecure);
  if (!cloud.ok()) return cloud.status();
  return LocalResources(std::shared_ptr<LocalProvider>(std::move(*cloud)));
}

}  // namespace cdr::providers::local
