// RFC 3339 times as the operator types them for --at and a spec's recovery_point, to and from ns since the
// epoch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cdr::recovery {

// "2026-11-25T01:00:00Z", "2026-11-25T01:00:00.123456789+08:00", lowercase t/z too; nullopt if not that
// shape.
std::optional<uint64_t> ParseRfc3339Ns(const std::string& text);
// "2026-11-25T01:00:00.123456789Z" (UTC, nanoseconds)
std::string FormatRfc3339Ns(uint64_t time_ns);

}  // namespace cdr::recovery
