// Which provider a spec's [provider] table opens: `local` (the embedded one) or `http` (a provider program
// speaking docs/provider-protocol.md). Parsed where the spec is read; an unknown name is a diagnostic there.
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace cdr::specs {

enum class ProviderType { kLocal, kHttp };

inline constexpr EnumName<ProviderType> kProviderTypeNames[] = {
    {ProviderType::kLocal, "local"},
    {ProviderType::kHttp, "http"},
};

constexpr const char* ProviderTypeName(ProviderType type) { return NameOf(kProviderTypeNames, type); }

constexpr std::optional<ProviderType> ParseProviderType(std::string_view name) {
  return ParseName(kProviderTypeNames, name);
}

}  // namespace cdr::specs
