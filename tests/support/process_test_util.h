// Test support shared by the agent and replication tests: temp directories, child processes killed by pid when
// a test ends (also when it fails), the real cdr-agent beside the test executable, and polling with a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace cdr::testing {

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
RunResult RunProgram(const std::vector<std::string>& argv, std::chrono::seconds deadline = std::chrono::seconds(120));

// A background child; the destructor sends SIGKILL and reaps it if it is still running. Once it is reaped, a
// sanitizer report in its stderr fails the test (tests/support/sanitizer_report.h).
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::filesystem::path& out, const std::filesystem::path& err);
  Child(Child&& other) noexcept;
  ~Child();
  pid_t pid() const { return pid_; }
  bool running();
  void Kill(int signal);
  // Waits (bounded) for the exit; exit code, or -1 if it had to be killed.
  int Wait(std::chrono::seconds deadline = std::chrono::seconds(60));

 private:
  void Reaped();

  pid_t pid_ = -1;
  std::filesystem::path err_;
  bool reaped_ = false;
  int status_ = 0;
};

// A mebibyte, for the sizes of test disks and writes.
constexpr uint64_t kMiB = 1 << 20;

bool PollUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds deadline = std::chrono::milliseconds(30000));
std::string ReadFile(const std::filesystem::path& path);
// The sha256 of a whole file, in hex (a disk image's identity in the tests that compare disks).
std::string FileSha256(const std::filesystem::path& path);
// A number field of /proc/PID/status ("VmRSS" in KiB, "Threads"); -1 when the process or field is gone.
int64_t ProcessStatusField(pid_t pid, const std::string& field);
void WriteRandomFile(const std::filesystem::path& path, size_t bytes, unsigned seed);
std::filesystem::path AgentBinary();  // cdr-agent beside this test executable

// A cdr-agent listening on 127.0.0.1 with a free port.
class AgentProcess {
 public:
  // exports: NAME=PATH pairs; extra: more flags (--insecure unless they hold --tls-dir).
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

}  // namespace cdr::testing
