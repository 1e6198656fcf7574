// The `recovery_point` of a drill or failover, written as text: "latest", an RFC 3339 time, or the id of a
// recovery point as `cdr recovery-points` lists it.
#pragma once

#include <string>
#include <string_view>

#include "specs/spec.h"

namespace cdr::specs::internal {

// ^rp-[0-9]{8}T[0-9]{6}Z(-[0-9]+|-g[0-9]{3})?$ — the time the point was taken, and a counter when two share a
// second, or -gMMM (the milliseconds) for a group-consistent point taken with `cdr recovery-points GROUP --take`.
bool IsRecoveryPointId(std::string_view text);

// Sets choice->kind, ->text and (for a time) ->time_ns. Returns "" when `text` is usable, otherwise the whole
// message for the diagnostic.
std::string ParseRecoveryPointText(std::string_view text, RecoveryPointChoice* choice);

}  // namespace cdr::specs::internal
