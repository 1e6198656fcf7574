// Why a recovery point exists: taken by the shadow host's schedule (`scheduled`, pruned by the keep policy)
// or asked for by an operator (`manual`, kept until removed). Stored by name in recovery_points.json and
// reported through the provider as is; a name this release does not know parses to nullopt and is neither
// (never pruned as scheduled).
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace cdr::shadow {

enum class RecoveryPointKind { kScheduled, kManual };

inline constexpr EnumName<RecoveryPointKind> kRecoveryPointKindNames[] = {
    {RecoveryPointKind::kScheduled, "scheduled"},
    {RecoveryPointKind::kManual, "manual"},
};

constexpr const char* RecoveryPointKindName(RecoveryPointKind kind) {
  return NameOf(kRecoveryPointKindNames, kind);
}

constexpr std::optional<RecoveryPointKind> ParseRecoveryPointKind(std::string_view name) {
  return ParseName(kRecoveryPointKindNames, name);
}

}  // namespace cdr::shadow
