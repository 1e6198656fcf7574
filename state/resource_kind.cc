#include "state/resource_kind.h"

namespace cdr::state {
namespace {

struct KindName {
  ResourceKind kind;
  const char* name;
};

constexpr KindName kKinds[] = {
    {ResourceKind::kGroup, "group"},
    {ResourceKind::kPeering, "peering"},
    {ResourceKind::kEndpoint, "endpoint"},
    {ResourceKind::kServer, "server"},
    {ResourceKind::kShadowHost, "shadow_host"},
    {ResourceKind::kDrHost, "dr_host"},
};

}  // namespace

const char* ResourceKindName(ResourceKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

std::optional<ResourceKind> ParseResourceKind(std::string_view name) {
  for (const auto& k : kKinds) {
    if (name == k.name) return k.kind;
  }
  return std::nullopt;
}

}  // namespace cdr::state
