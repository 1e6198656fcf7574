// End-to-end test support: a temp directory holding a local cloud, a spec and a state, and the real `cdr`
// binary run in it as a child process. Every process a test starts is killed by pid when the test ends,
// also when it fails. A sanitizer report (`make test-asan`) in cdr's stderr or in a log of the cloud's
// processes fails the test.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

#include <gtest/gtest.h>

namespace cdr::e2e {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A cdr process running in the background.
class BackgroundCdr {
 public:
  BackgroundCdr(pid_t pid, std::filesystem::path out, std::filesystem::path err)
      : pid_(pid), out_(std::move(out)), err_(std::move(err)) {}
  BackgroundCdr(BackgroundCdr&& other) noexcept;
  ~BackgroundCdr();  // SIGKILL + reap if still running
  pid_t pid() const { return pid_; }
  std::string StderrSoFar() const;  // what it has written to stderr until now
  void Kill9();
  // Waits for the exit (bounded); exit_code -1 if it had to be killed.
  RunResult Wait(std::chrono::seconds deadline = std::chrono::seconds(120));

 private:
  void Reaped();

  pid_t pid_;
  std::filesystem::path out_, err_;
  bool reaped_ = false;
  int status_ = 0;
};

class CdrWorkspace {
 public:
  // `name` tells apart two workspaces of one test (two working directories).
  explicit CdrWorkspace(const std::string& name = "");
  // Stops every process the local cloud started (`cdr local down`, then SIGKILL by the pids in its records),
  // also when the test failed.
  ~CdrWorkspace();
  void StopCloudProcesses();
  // Pids of the cdr-agent and cdr-shadow processes the cloud's records name and that are still running.
  std::vector<pid_t> CloudProcesses() const;
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path cloud() const { return dir_ / ".cdr" / "cloud"; }

  // Runs `cdr ARGS...` in the workspace and waits (bounded) for it.
  RunResult Cdr(const std::vector<std::string>& args, const std::string& stdin_text = "");
  // `env`: NAME=VALUE entries added to this process's environment for the child, replacing inherited ones.
  BackgroundCdr StartCdr(const std::vector<std::string>& args, const std::string& stdin_text = "",
                         const std::vector<std::string>& env = {});

  void WriteSpec(const std::string& file, const std::string& toml);  // specs/FILE
  void RemoveSpec(const std::string& file);
  // Records in a cloud folder: *.json files, and agent folders holding an agent.json.
  size_t CountFiles(const std::filesystem::path& dir) const;

 private:
  std::filesystem::path dir_;
  int runs_ = 0;
};

// Polls `condition` every 50 ms until it holds or `deadline` passes; returns whether it held.
bool PollUntil(const std::function<bool()>& condition, std::chrono::milliseconds deadline);

// One group `web-prod` in az1/az2 on vpc-prod protecting host-1 … host-N as web-1 … web-N. Replication is
// "stopped" unless asked for: tests not about the data plane stay fast (agents run, nothing is synced).
std::string GroupSpec(int servers, int rpo_alert_seconds = 30, const std::string& replication = "stopped");

}  // namespace cdr::e2e
