// One long-running program of the local cloud (a host's cdr-agent, a shadow host's cdr-shadow), started
// detached and considered up once it has written its ready file: a JSON object with at least {"pid": N},
// written after its listeners are bound, so the addresses in it can be connected to at once.
//
//   StartDaemon:  ready file of a live process of ours? ──yes──► adopt it (a cdr killed after starting it)
//                        │ no
//                        ▼
//                 remove the stale ready file → spawn detached → poll the ready file (bounded)
//                        ├─ ready, pid matches ──► DaemonStarted
//                        ├─ process gone ────────► kFailedPrecondition with the log's tail
//                        └─ deadline ────────────► kill it, kUnavailable with the log's tail
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace cdr::providers::local::internal {

struct DaemonSpec {
  std::string program;  // "cdr-agent": found by FindCdrBinary
  // Arguments after argv[0]; must contain ready_file's path as an argument, which identifies the process
  // later (IsOurProcess).
  std::vector<std::string> args;
  std::filesystem::path ready_file;
  std::filesystem::path log_file;
  std::chrono::milliseconds ready_timeout = std::chrono::seconds(10);
};

struct DaemonStarted {
  pid_t pid = 0;
  nlohmann::json ready;  // the ready file's content
  bool adopted = false;  // it was already running
};

Result<DaemonStarted> StartDaemon(const DaemonSpec& spec);

// True when `pid` runs `program` with `ready_file` among its arguments: the process a record names is still
// the one started for it.
bool IsDaemonRunning(pid_t pid, const std::string& program, const std::filesystem::path& ready_file);

// Stops the daemon (SIGTERM, then SIGKILL): the recorded pid and, if different, the pid in its ready file (a
// process started by a cdr killed before it could record the pid). Returns the pid it stopped, 0 when none
// was running.
Result<pid_t> StopDaemon(pid_t recorded_pid, const std::string& program,
                         const std::filesystem::path& ready_file);

// The last `lines` lines of a log, for error messages; "(no log)" when it is missing or empty.
std::string LogTail(const std::filesystem::path& log_file, int lines = 15);

}  // namespace cdr::providers::local::internal
