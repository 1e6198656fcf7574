// Whether the process behind a provider resource runs: an agent, a shadow host's cdr-shadow, a DR host. The
// provider reports it as `status` ("running" | "stopped"); callers compare ProcessStatus values. A status the
// provider did not say, or one this cdr does not know, parses to nullopt: neither running nor stopped.
#pragma once

#include <optional>
#include <string_view>

#include "common/enum_names.h"

namespace cdr::providers {

enum class ProcessStatus { kRunning, kStopped };

inline constexpr EnumName<ProcessStatus> kProcessStatusNames[] = {
    {ProcessStatus::kRunning, "running"},
    {ProcessStatus::kStopped, "stopped"},
};

constexpr const char* ProcessStatusName(ProcessStatus status) { return NameOf(kProcessStatusNames, status); }

constexpr std::optional<ProcessStatus> ParseProcessStatus(std::string_view name) {
  return ParseName(kProcessStatusNames, name);
}

// Of an Agent, a ShadowHost or a DrHost (each carries the provider's `status`).
template <typename Described>
std::optional<ProcessStatus> ProcessStatusOf(const Described& described) {
  return ParseProcessStatus(described.status);
}

}  // namespace cdr::providers
