#include "tests/support/process_test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "common/digest.h"
#include "tests/support/sanitizer_report.h"

extern char** environ;

namespace cdr::testing {
namespace fs = std::filesystem;

namespace {

pid_t Spawn(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
  std::vector<std::string> storage = args;
  std::vector<char*> argv;
  for (auto& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

}  // namespace

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "cdr-test-XXXXXX").string();
  path_ = ::mkdtemp(tmpl.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Child::Child(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err)
    : pid_(Spawn(argv, out, err)), err_(err) {}

Child::Child(Child&& other) noexcept
    : pid_(other.pid_), err_(std::move(other.err_)), reaped_(other.reaped_), status_(other.status_) {
  other.pid_ = -1;
}

Child::~Child() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
    Reaped();
  }
}

void Child::Reaped() {
  reaped_ = true;
  ExpectNoSanitizerReport(err_, "child " + std::to_string(pid_));
}

bool Child::running() {
  if (pid_ <= 0 || reaped_) return false;
  if (::waitpid(pid_, &status_, WNOHANG) == pid_) Reaped();
  return !reaped_;
}

void Child::Kill(int signal) {
  if (pid_ > 0 && !reaped_) ::kill(pid_, signal);
}

int Child::Wait(std::chrono::seconds deadline) {
  if (pid_ <= 0) return -1;
  if (!reaped_ && !PollUntil([&] { return !running(); }, deadline)) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
    Reaped();
    return -1;
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
}

RunResult RunProgram(const std::vector<std::string>& argv, std::chrono::seconds deadline) {
  TempDir io;
  RunResult r;
  {
    Child child(argv, io / "out", io / "err");
    if (child.pid() <= 0) return r;
    r.exit_code = child.Wait(deadline);
  }
  r.out = ReadFile(io / "out");
  r.err = ReadFile(io / "err");
  return r;
}

bool PollUntil(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string FileSha256(const fs::path& path) { return Sha256Hex(ReadFile(path)); }

void WriteRandomFile(const fs::path& path, size_t bytes, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string data(bytes, '\0');
  for (size_t i = 0; i + 8 <= bytes; i += 8) {
    uint64_t v = rng();
    std::memcpy(data.data() + i, &v, 8);
  }
  std::ofstream(path, std::ios::binary) << data;
}

fs::path AgentBinary() { return fs::read_symlink("/proc/self/exe").parent_path() / "cdr-agent"; }

AgentProcess::AgentProcess(const fs::path& work_dir, const fs::path& state_dir,
                           const std::vector<std::string>& exports, const std::vector<std::string>& extra)
    : out_(work_dir / "agent.out"),
      err_(work_dir / "agent.err"),
      child_(
          [&] {
            std::vector<std::string> argv = {AgentBinary().string(), "--listen", "127.0.0.1:0", "--state-dir",
                                             state_dir.string()};
            for (const auto& e : exports) {
              argv.push_back("--export");
              argv.push_back(e);
            }
            argv.insert(argv.end(), extra.begin(), extra.end());
            if (std::find(extra.begin(), extra.end(), "--tls-dir") == extra.end())
              argv.push_back("--insecure");
            return argv;
          }(),
          out_, err_) {
  const std::string prefix = "listening on 127.0.0.1:";
  PollUntil([&] {
    const std::string out = ReadFile(out_);
    const size_t at = out.find(prefix);
    if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
      port_ = std::stoi(out.substr(at + prefix.size()));
      return true;
    }
    return !child_.running();
  });
}

std::string AgentProcess::uri(const std::string& export_name) const {
  return "nbd://127.0.0.1:" + std::to_string(port_) + "/" + export_name;
}

int64_t ProcessStatusField(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  }
  return -1;
}

}  // namespace cdr::testing
