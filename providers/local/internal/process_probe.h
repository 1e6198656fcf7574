// Is the process a record names still the one cdr started? Pids are reused, and a killed program may linger
// as a zombie when nothing reaps it, so "kill(pid, 0) succeeds" is not enough: the process must be alive (not
// a zombie), run the expected program, and carry an argument unique to it (its ready-file path).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include "common/status.h"

namespace cdr::providers::local::internal {

// True when `pid` is alive, its argv[0] names `program` (by file name), and one of its arguments equals
// `marker_arg`.
bool IsOurProcess(pid_t pid, const std::string& program, const std::string& marker_arg);

// True when `pid` exists and is not a zombie, whatever it runs.
bool IsAlive(pid_t pid);

// Stops our process: SIGTERM (the programs close their journals cleanly on it), waits up to `grace`, then
// SIGKILL. Ok when the process is not (or no longer) ours; kInternal when it survives SIGKILL.
Status StopOurProcess(pid_t pid, const std::string& program, const std::string& marker_arg,
                      std::chrono::milliseconds grace = std::chrono::seconds(10));

}  // namespace cdr::providers::local::internal
