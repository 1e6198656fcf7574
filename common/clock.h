// Wall-clock helpers: state rows and jobs carry Unix milliseconds; people read RFC 3339.
#pragma once

#include <cstdint>
#include <string>

namespace cdr {

int64_t NowUnixMillis();
// CLOCK_REALTIME in nanoseconds, as journal records and recovery points carry it.
int64_t NowUnixNanos();
// "2026-11-25T16:35:54Z" (UTC, second precision)
std::string FormatRfc3339(int64_t unix_millis);

}  // namespace cdr
