// The kinds of resource cdr manages, with their names in the state's `kind` column, in plans and in addresses
// (reconcile/address.h). The one table of kinds: a name is parsed here where it comes in (a state row, a plan
// file) and everything after it compares ResourceKind values.
#pragma once

#include <optional>
#include <string_view>

namespace cdr::state {

enum class ResourceKind { kGroup, kPeering, kEndpoint, kServer, kShadowHost, kDrHost };

const char* ResourceKindName(
    ResourceKind kind);  // "group", "peering", "endpoint", "server", "shadow_host", "dr_host"
std::optional<ResourceKind> ParseResourceKind(std::string_view name);

}  // namespace cdr::state
