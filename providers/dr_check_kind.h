// What a drill's verification checks on a DR host (DrHostCheck::kind, the spec's `verify`): `checksum` (the
// disks against the digests the shadow recorded for the point), `fsck` (e2fsck -fn on each disk) or `command`
// (an operator's command run with the disk images; exit 0 passes). A kind this release does not know parses
// to nullopt and is refused by name.
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace cdr::providers {

enum class DrCheckKind { kChecksum, kFsck, kCommand };

inline constexpr EnumName<DrCheckKind> kDrCheckKindNames[] = {
    {DrCheckKind::kChecksum, "checksum"},
    {DrCheckKind::kFsck, "fsck"},
    {DrCheckKind::kCommand, "command"},
};

constexpr const char* DrCheckKindName(DrCheckKind kind) { return NameOf(kDrCheckKindNames, kind); }

constexpr std::optional<DrCheckKind> ParseDrCheckKind(std::string_view name) {
  return ParseName(kDrCheckKindNames, name);
}

}  // namespace cdr::providers
