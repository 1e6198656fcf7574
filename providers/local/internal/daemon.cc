#include "providers/local/internal/daemon.h"

#include <spdlog/spdlog.h>

#include <deque>
#include <fstream>
#include <optional>
#include <thread>

#include "common/json_file.h"
#include "providers/local/internal/binary_locator.h"
#include "providers/local/internal/detached_spawn.h"
#include "providers/local/internal/process_probe.h"

namespace cdr::providers::local::internal {
namespace {

namespace fs = std::filesystem;

// The ready file's content when it parses and names a pid; nothing while it is absent or being written.
std::optional<nlohmann::json> ReadReady(const fs::path& ready_file) {
  auto j = ReadJsonFile(ready_file);
  if (!j.ok() || !j->is_object() || !j->contains("pid") || !(*j)["pid"].is_number_integer()) {
    return std::nullopt;
  }
  return *j;
}

}  // namespace

bool IsDaemonRunning(pid_t pid, const std::string& program, const fs::path& ready_file) {
  return IsOurProcess(pid, program, ready_file.string());
}

Result<pid_t> StopDaemon(pid_t recorded_pid, const std::string& program, const fs::path& ready_file) {
  pid_t stopped = 0;
  std::vector<pid_t> candidates = {recorded_pid};
  if (auto ready = ReadReady(ready_file)) candidates.push_back((*ready)["pid"].get<pid_t>());
  for (pid_t pid : candidates) {
    if (!IsDaemonRunning(pid, program, ready_file)) continue;
    CDR_RETURN_IF_ERROR(StopOurProcess(pid, program, ready_file.string()));
    stopped = pid;
  }
  return stopped;
}

std::string LogTail(const fs::path& log_file, int lines) {
  std::ifstream in(log_file);
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(line);
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  if (tail.empty()) return "(no log)";
  std::string text;
  for (const auto& line : tail) text += "\n  " + line;
  return text;
}

Result<DaemonStarted> StartDaemon(const DaemonSpec& spec) {
  if (auto ready = ReadReady(spec.ready_file)) {
    const pid_t pid = (*ready)["pid"].get<pid_t>();
    if (IsDaemonRunning(pid, spec.program, spec.ready_file)) {
      spdlog::debug("local cloud: {} already running as pid {}", spec.program, pid);
      return DaemonStarted{pid, *ready, /*adopted=*/true};
    }
  }
  auto binary = FindCdrBinary(spec.program);
  if (!binary.ok()) return binary.status();

  std::error_code ec;
  fs::remove(spec.ready_file, ec);
  if (ec) return Internal(spec.ready_file.string() + ": " + ec.message());
  auto pid = SpawnDetached(*binary, spec.args, spec.log_file);
  if (!pid.ok()) return pid.status();

  const auto deadline = std::chrono::steady_clock::now() + spec.ready_timeout;
  for (;;) {
    if (auto ready = ReadReady(spec.ready_file); ready && (*ready)["pid"].get<pid_t>() == *pid) {
      spdlog::debug("local cloud: started {} as pid {}", spec.program, *pid);
      return DaemonStarted{*pid, *ready, /*adopted=*/false};
    }
    if (!IsAlive(*pid)) {
      return FailedPrecondition(spec.program + " (pid " + std::to_string(*pid) +
                                ") exited before it was ready; the end of " + spec.log_file.string() + ":" +
                                LogTail(spec.log_file));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      (void)StopDaemon(*pid, spec.program, spec.ready_file);
      return Unavailable(spec.program + " (pid " + std::to_string(*pid) + ") did not write " +
                         spec.ready_file.string() + " within " + std::to_string(spec.ready_timeout.count()) +
                         " ms and was stopped; the end of " + spec.log_file.string() + ":" +
                         LogTail(spec.log_file));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace cdr::providers::local::internal
