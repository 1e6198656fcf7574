#include "state/resource_kind.h"

#include "common/enum_names.h"

namespace cdr::state {
namespace {

constexpr EnumName<ResourceKind> kKinds[] = {
    {ResourceKind::kGroup, "group"},
    {ResourceKind::kPeering, "peering"},
    {ResourceKind::kEndpoint, "endpoint"},
    {ResourceKind::kServer, "server"},
    {ResourceKind::kShadowHost, "shadow_host"},
    {ResourceKind::kDrHost, "dr_host"},
};

}  // namespace

const char* ResourceKindName(ResourceKind kind) { return NameOf(kKinds, kind); }

std::optional<ResourceKind> ParseResourceKind(std::string_view name) { return ParseName(kKinds, name); }

}  // namespace cdr::state
