// The kinds of resource cdr manages, with their names in the state, in plans and in addresses (address.h).
#pragma once

#include <optional>
#include <string>

namespace cdr::reconcile {

enum class ResourceKind { kGroup, kPeering, kEndpoint, kServer, kShadowHost, kDrHost };

const char* ResourceKindName(ResourceKind kind);  // "group", "peering", "endpoint", "server", "shadow_host", "dr_host"
std::optional<ResourceKind> ParseResourceKind(const std::string& name);

}  // namespace cdr::reconcile
