// Runs two independent durability steps at once: `here` on the calling thread, `beside` on a thread of its
// own, and returns when both are done. Every fdatasync waits for the disk, not for the CPU: side by side, the
// agent's layers (disk image, journal, dirty bitmap) make a FLUSH or a FUA write cost the slowest of their
// syncs instead of their sum, and the shadow syncs its replica image and CDP log at once before it acks.
//
// A thread per call costs tens of microseconds against the milliseconds of a sync, and only FLUSH and FUA
// requests pay it.
#pragma once

#include <functional>

#include "common/status.h"

namespace cdr {

// The first failure (`here`'s before `beside`'s), or Ok when both succeeded.
Status SideBySide(const std::function<Status()>& here, const std::function<Status()>& beside);

}  // namespace cdr
