// RFC 3339 times for recovery points (a spec's recovery_point, cdr-dr-disk --at), parsed and printed. A time without a zone is refused rather than guessed: the DR side and
// the person writing the spec may sit in different zones, and a silent guess would restore the wrong instant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cdr {

// A calendar instant as written; `offset_minutes` is east of UTC (+08:00 = 480).
struct CivilTime {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int nanosecond = 0;
  int offset_minutes = 0;
};

// True with *ns = nanoseconds since the Unix epoch (UTC); false with *problem saying why the fields are not a
// usable instant (a field out of range, before 1970, or past what 64-bit nanoseconds hold, in 2262).
bool CivilTimeToUnixNanos(const CivilTime& t, int64_t* ns, std::string* problem);

// "YYYY-MM-DD(T|t| )HH:MM:SS[.fraction](Z|z|±HH:MM)" with at most 9 fraction digits. On failure *problem says
// what is wrong in words a user acts on ("has no time zone: add `Z` for UTC or an offset such as `+08:00`").
bool ParseRfc3339(std::string_view text, int64_t* ns, std::string* problem);

// "2026-11-25T01:00:00.123456789Z": UTC, nanoseconds.
std::string FormatRfc3339Nanos(int64_t time_ns);

}  // namespace cdr
