// Who we are and whether a lock holder still runs. A pid alone is not an identity (pids are reused), so a
// process is named by its pid plus its start time, field 22 of /proc/PID/stat (clock ticks since boot).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cdr::state::internal {

std::string Hostname();
// $USER, else the account name of our uid, else the uid as a number.
std::string UserName();
int64_t CurrentPid();
// Start time of `pid`, or nullopt when the process does not exist or is a zombie (it exited; only its exit
// status is waiting to be collected).
std::optional<int64_t> ProcessStartTime(int64_t pid);
// Whether the process that was `pid` started at `start_time` is still running on this host. A start time of
// 0 means "unknown" and only the pid is checked. Without /proc nothing can be told, so it counts as alive.
bool ProcessAlive(int64_t pid, int64_t start_time);

}  // namespace cdr::state::internal
