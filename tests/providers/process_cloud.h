// Test support for the local cloud's real processes (cdr-agent, cdr-shadow beside the test executable).
// TearDown kills, by pid, every process whose arguments mention this test's cloud root, whatever the test
// did or where it failed, and waits until they are gone.
#pragma once

#include <dirent.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "providers/local/internal/layout.h"
#include "providers/local/internal/process_probe.h"
#include "tests/providers/temp_cloud.h"

namespace cdr::providers::local::test_util {

inline bool PollUntil(const std::function<bool()>& condition,
                      std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// Runs a shell command line (bounded by `timeout`) and returns its stdout; exit code in *exit_code.
inline std::string CommandOutput(const std::string& command, int* exit_code = nullptr) {
  const std::string bounded = "timeout 20 " + command;
  FILE* pipe = ::popen(bounded.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = ::pclose(pipe);
  if (exit_code != nullptr) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// True when something accepts TCP connections on "127.0.0.1:PORT".
inline bool Connects(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Pids of live processes with an argument containing `needle`.
inline std::vector<pid_t> ProcessesMentioning(const std::string& needle) {
  std::vector<pid_t> pids;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return pids;
  while (dirent* entry = ::readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in("/proc/" + name + "/cmdline", std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const pid_t pid = std::stoi(name);
    if (pid != ::getpid() && text.str().find(needle) != std::string::npos && internal::IsAlive(pid)) {
      pids.push_back(pid);
    }
  }
  ::closedir(proc);
  return pids;
}

class ProcessCloudTest : public LocalCloudTest {
 protected:
  void SetUp() override {
    LocalCloudTest::SetUp();
    provider_ = InitAndOpen(/*hosts=*/2);
    ASSERT_NE(provider_, nullptr);
    canonical_root_ = internal::CanonicalRoot(root_);
  }

  void TearDown() override {
    for (pid_t pid : ProcessesMentioning(canonical_root_.string())) ::kill(pid, SIGKILL);
    EXPECT_TRUE(PollUntil([this] { return ProcessesMentioning(canonical_root_.string()).empty(); }))
        << "processes of the test cloud survived SIGKILL";
  }

  std::unique_ptr<LocalProvider> provider_;
  std::filesystem::path canonical_root_;
};

}  // namespace cdr::providers::local::test_util
