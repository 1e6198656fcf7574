#include "providers/local/internal/process_probe.h"

#include <signal.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace cdr::providers::local::internal {
namespace {

std::string ReadProcFile(pid_t pid, const char* name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Cmdline(pid_t pid) {
  const std::string raw = ReadProcFile(pid, "cmdline");
  std::vector<std::string> args;
  size_t start = 0;
  while (start < raw.size()) {
    size_t end = raw.find('\0', start);
    if (end == std::string::npos) end = raw.size();
    args.push_back(raw.substr(start, end - start));
    start = end + 1;
  }
  return args;
}

bool WaitGone(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (IsAlive(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace

bool IsAlive(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  // The state letter follows the last ')' ("1234 (cdr-agent) S …"): the command name itself may hold ')'.
  const std::string stat = ReadProcFile(pid, "stat");
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return false;
  const char state = stat[paren + 2];
  return state != 'Z' && state != 'X';
}

bool IsOurProcess(pid_t pid, const std::string& program, const std::string& marker_arg) {
  if (!IsAlive(pid)) return false;
  const std::vector<std::string> args = Cmdline(pid);
  if (args.empty() || std::filesystem::path(args.front()).filename() != program) return false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == marker_arg) return true;
  }
  return false;
}

Status StopOurProcess(pid_t pid, const std::string& program, const std::string& marker_arg,
                      std::chrono::milliseconds grace) {
  if (!IsOurProcess(pid, program, marker_arg)) return Status::Ok();
  ::kill(pid, SIGTERM);
  if (WaitGone(pid, grace)) return Status::Ok();
  ::kill(pid, SIGKILL);
  if (WaitGone(pid, std::chrono::seconds(5))) return Status::Ok();
  return Internal(program + " (pid " + std::to_string(pid) + ") survived SIGKILL");
}

}  // namespace cdr::providers::local::internal
