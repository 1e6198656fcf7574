// The local cloud as a generic provider (resource_provider.h): one ResourceTypeDef per resource type, each in
// its own file (host_type.cc, peering_type.cc, endpoint_type.cc, agent_type.cc, reverse_agent_type.cc,
// agent_version_type.cc, shadow_host_type.cc, dr_host_type.cc): the type's schema from its home
// (providers/types/) and handlers over LocalProvider's typed methods, registered in one ResourceTypeRegistry.
// This is what `cdr provider serve local` puts on the wire and what the reconciler reaches in process,
// through the same typed calls (providers/types/) as a provider program over HTTP. Adding a kind to the local
// cloud is one more *_type.cc, listed in LocalResources.
#pragma once

#include <filesystem>
#include <memory>

#include "providers/local/local_provider.h"
#include "providers/resource_type_registry.h"

namespace cdr::providers::local {

// Opens the cloud at `root` (LocalProvider::Open) and registers its types.
Result<std::unique_ptr<ResourceTypeRegistry>> OpenLocalResources(const std::filesystem::path& root,
                                                                 bool insecure = false);
std::unique_ptr<ResourceTypeRegistry> LocalResources(std::shared_ptr<LocalProvider> cloud);

ResourceTypeDef HostType(std::shared_ptr<LocalProvider> cloud);
ResourceTypeDef PeeringType(std::shared_ptr<LocalProvider> cloud);
ResourceTypeDef EndpointType(std::shared_ptr<LocalProvider> cloud);
ResourceTypeDef AgentType(std::shared_ptr<LocalProvider> cloud);
ResourceTypeDef ReverseAgentType(std::shared_ptr<LocalProvider> cloud);
ResourceTypeDef AgentVersionType(std::shared_ptr<LocalProvider> cloud);
ResourceTypeDef ShadowHostType(std::shared_ptr<LocalProvider> cloud);
ResourceTypeDef DrHostType(std::shared_ptr<LocalProvider> cloud);

}  // namespace cdr::providers::local
