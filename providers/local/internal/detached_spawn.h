// Starts a program that outlives the caller: `cdr apply` installs an agent and exits, the agent keeps
// running. Double fork + setsid so the program is reparented away from the caller and has no controlling
// terminal; stdin is /dev/null, stdout and stderr are appended to a log file, and no other descriptor of the
// caller (locks, sockets, the state database) leaks into it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace cdr::providers::local::internal {

// Returns the pid of the running program (argv[0] is `program`, then `args`). Fails when it cannot be
// started at all (fork or exec failed); a program that starts and then exits is the caller's to notice.
// The program's working directory is "/", so every path in `args` must be absolute.
Result<pid_t> SpawnDetached(const std::filesystem::path& program, const std::vector<std::string>& args,
                            const std::filesystem::path& log_file);

}  // namespace cdr::providers::local::internal
