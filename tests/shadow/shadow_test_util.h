// Test support for the replication tests: temp directories, child processes killed by pid when a test ends
// (also when it fails), the real cdr-agent and cdr-shadow binaries beside the test executable, polling.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cdr::shadow::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct RunResult {
  int exit_code = -1;  // -1: killed at the deadline or could not start
  std::string out;
  std::string err;
};

// Runs a program (looked up in PATH) and waits for it, killing it after `deadline`.
RunResult RunProgram(const std::vector<std::string>& argv,
                     std::chrono::seconds deadline = std::chrono::seconds(120));

// A background child; the destructor sends SIGKILL and reaps it if it is still running.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::filesystem::path& out,
        const std::filesystem::path& err);
  Child(Child&& other) noexcept;
  ~Child();
  pid_t pid() const { return pid_; }
  bool running();
  void Kill(int signal);
  // Waits (bounded) for the exit; exit code, or -1 if it had to be killed.
  int Wait(std::chrono::seconds deadline = std::chrono::seconds(60));

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

bool PollUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds deadline = std::chrono::milliseconds(30000));
std::string ReadFile(const std::filesystem::path& path);
void WriteRandomFile(const std::filesystem::path& path, size_t bytes, unsigned seed);
std::filesystem::path AgentBinary();  // cdr-agent beside this test executable

// A cdr-agent listening on 127.0.0.1 with a free port.
class AgentProcess {
 public:
  // exports: NAME=PATH pairs; extra: more flags.
  AgentProcess(const std::filesystem::path& work_dir, const std::filesystem::path& state_dir,
               const std::vector<std::string>& exports, const std::vector<std::string>& extra = {});
  bool started() const { return port_ != 0; }
  int port() const { return port_; }
  std::string uri(const std::string& export_name) const;
  Child& child() { return child_; }
  std::string log() const { return ReadFile(err_); }

 private:
  std::filesystem::path out_, err_;
  Child child_;
  int port_ = 0;
};

// A cdr-shadow on 127.0.0.1; port 0 picks a free one (a restart passes the old port).
class ShadowProcess {
 public:
  ShadowProcess(const std::filesystem::path& work_dir, const std::filesystem::path& replica_dir,
                int port = 0);
  bool started() const { return port_ != 0; }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  Child& child() { return child_; }
  std::string log() const { return ReadFile(err_); }

 private:
  std::filesystem::path out_, err_;
  Child child_;
  int port_ = 0;
};
std::filesystem::path ShadowBinary();

struct ShadowState {
  uint64_t applied_seq = 0;
  uint64_t full_sync_cursor = 0;
  bool full_sync_done = false;
  uint64_t epoch = 0;
};
// The replica's state file, or nullopt while it does not exist (or is being replaced).
std::optional<ShadowState> ReadShadowState(const std::filesystem::path& replica_dir,
                                           const std::string& server_id, const std::string& disk);
// Newest seq in an agent journal directory (0 when empty).
uint64_t LastJournalSeq(const std::filesystem::path& journal_dir);
bool FilesEqual(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace cdr::shadow::testing
