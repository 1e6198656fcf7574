// What holds the state lock: the command that took it, stored by name in the lock row (and shown to whoever
// waits for it). A name this cdr does not know (a newer release's) parses to nullopt: some other command
// holds the lock, never one of these.
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace cdr::state {

enum class LockOperation { kApply, kPlan, kDrift, kStateRm, kMigrate };

inline constexpr EnumName<LockOperation> kLockOperationNames[] = {
    {LockOperation::kApply, "apply"},     {LockOperation::kPlan, "plan"},
    {LockOperation::kDrift, "drift"},     {LockOperation::kStateRm, "state rm"},
    {LockOperation::kMigrate, "migrate"},
};

constexpr const char* LockOperationName(LockOperation op) { return NameOf(kLockOperationNames, op); }

constexpr std::optional<LockOperation> ParseLockOperation(std::string_view name) {
  return ParseName(kLockOperationNames, name);
}

}  // namespace cdr::state
