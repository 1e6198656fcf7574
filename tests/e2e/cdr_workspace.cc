#include "tests/e2e/cdr_workspace.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

#include "tests/support/sanitizer_report.h"

extern char** environ;

namespace cdr::e2e {
namespace fs = std::filesystem;

namespace {

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

pid_t Spawn(const fs::path& cwd, const std::vector<std::string>& args, const fs::path& in, const fs::path& out,
            const fs::path& err, const std::vector<std::string>& env) {
  std::vector<std::string> argv_storage = {CDR_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // An entry of `env` replaces the inherited one of the same name (getenv would find the inherited one first).
  auto overridden = [&env](std::string_view entry) {
    const std::string_view name = entry.substr(0, entry.find('=') + 1);
    for (const auto& e : env) {
      if (e.rfind(name, 0) == 0) return true;
    }
    return false;
  };
  std::vector<std::string> env_storage;
  for (char** e = environ; *e; ++e) {
    if (!overridden(*e)) env_storage.emplace_back(*e);
  }
  env_storage.insert(env_storage.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// The cloud's processes log to agent.log, shadow.log and dr-disk.log beside their records.
void ExpectNoSanitizerReportInLogs(const fs::path& cloud) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(cloud, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() == ".log") testing::ExpectNoSanitizerReport(it->path(), "a local cloud process");
  }
}

}  // namespace

bool PollUntil(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

BackgroundCdr::BackgroundCdr(BackgroundCdr&& other) noexcept
    : pid_(other.pid_), out_(other.out_), err_(other.err_), reaped_(other.reaped_), status_(other.status_) {
  other.pid_ = -1;
}

BackgroundCdr::~BackgroundCdr() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
    Reaped();
  }
}

void BackgroundCdr::Reaped() {
  reaped_ = true;
  testing::ExpectNoSanitizerReport(err_, "cdr (pid " + std::to_string(pid_) + ")");
}

void BackgroundCdr::Kill9() {
  if (pid_ <= 0 || reaped_) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status_, 0);
  Reaped();
}

RunResult BackgroundCdr::Wait(std::chrono::seconds deadline) {
  RunResult r;
  if (pid_ <= 0) return r;
  if (!reaped_) {
    bool exited = PollUntil([&] { return ::waitpid(pid_, &status_, WNOHANG) == pid_; }, deadline);
    if (!exited) {
      Kill9();
      r.err = "timed out; killed";
      return r;
    }
    Reaped();
  }
  r.exit_code = WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  r.out = ReadAll(out_);
  r.err = ReadAll(err_);
  return r;
}

CdrWorkspace::CdrWorkspace(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = fs::temp_directory_path() / ("cdr-e2e-" + std::string(info ? info->name() : "x") + "-" +
                                      std::to_string(::getpid()) + (name.empty() ? "" : "-" + name));
  fs::remove_all(dir_);
  fs::create_directories(dir_ / "specs");
}

CdrWorkspace::~CdrWorkspace() {
  StopCloudProcesses();
  ExpectNoSanitizerReportInLogs(cloud());
  if (!::testing::Test::HasFailure()) fs::remove_all(dir_);  // kept for post-mortem when a test fails
}

namespace {

// A pid from a record is only ours if it still runs one of the cloud's programs (pids are reused).
bool RunsCloudProgram(pid_t pid) {
  std::string cmdline = ReadAll(fs::path("/proc") / std::to_string(pid) / "cmdline");
  return cmdline.find("cdr-agent") != std::string::npos || cmdline.find("cdr-shadow") != std::string::npos ||
         cmdline.find("cdr-dr-disk") != std::string::npos;
}

void CollectPids(const fs::path& dir, std::vector<pid_t>* out) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const fs::path& p = it->path();
    pid_t pid = 0;
    if (p.extension() == ".pid") {
      pid = std::atoi(ReadAll(p).c_str());
    } else if (p.extension() == ".json") {
      const std::string text = ReadAll(p);
      auto at = text.find("\"pid\"");
      if (at == std::string::npos) continue;
      at = text.find(':', at);
      if (at != std::string::npos) pid = std::atoi(text.c_str() + at + 1);
    }
    if (pid > 0 && RunsCloudProgram(pid)) out->push_back(pid);
  }
}

}  // namespace

std::vector<pid_t> CdrWorkspace::CloudProcesses() const {
  std::vector<pid_t> pids;
  CollectPids(cloud() / "agents", &pids);
  CollectPids(cloud() / "shadows", &pids);
  CollectPids(cloud() / "dr_hosts", &pids);
  CollectPids(cloud() / "zones", &pids);
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

void CdrWorkspace::StopCloudProcesses() {
  std::error_code ec;
  if (!fs::exists(cloud(), ec)) return;
  StartCdr({"local", "down"}).Wait(std::chrono::seconds(30));
  for (pid_t pid : CloudProcesses()) {
    ::kill(pid, SIGKILL);
    // Not our child (the cdr that started it is gone), so wait for /proc to let go of it instead of reaping.
    PollUntil([pid] { return !RunsCloudProgram(pid); }, std::chrono::seconds(5));
  }
}

std::string BackgroundCdr::StderrSoFar() const {
  std::ifstream in(err_);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

RunResult CdrWorkspace::Cdr(const std::vector<std::string>& args, const std::string& stdin_text) {
  return StartCdr(args, stdin_text).Wait();
}

BackgroundCdr CdrWorkspace::StartCdr(const std::vector<std::string>& args, const std::string& stdin_text,
                                     const std::vector<std::string>& env) {
  const std::string n = std::to_string(++runs_);
  const fs::path in = dir_ / (".stdin." + n), out = dir_ / (".stdout." + n), err = dir_ / (".stderr." + n);
  std::ofstream(in) << stdin_text;
  return BackgroundCdr(Spawn(dir_, args, in, out, err, env), out, err);
}

void CdrWorkspace::WriteSpec(const std::string& file, const std::string& toml) {
  std::ofstream(dir_ / "specs" / file) << toml;
}

void CdrWorkspace::RemoveSpec(const std::string& file) { fs::remove(dir_ / "specs" / file); }

size_t CdrWorkspace::CountFiles(const fs::path& dir) const {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    // Agents are folders (ROOT/agents/HOST/agent.json); the other kinds are one file each.
    const bool folder_record = e.is_directory() && fs::exists(e.path() / "agent.json");
    n += e.path().extension() == ".json" || folder_record ? 1 : 0;
  }
  return n;
}

std::string GroupSpec(int servers, int rpo_alert_seconds, const std::string& replication) {
  std::string s = R"([provider]
type = "local"
root = ".cdr/cloud"

[[group]]
name = "web-prod"
production_zone = "az1"
dr_zone = "az2"
vpc = "vpc-prod"
rpo_alert_seconds = )" + std::to_string(rpo_alert_seconds) + "\n";
  for (int i = 1; i <= servers; ++i) {
    s += "\n[[group.server]]\nname = \"web-" + std::to_string(i) + "\"\nhost = \"host-" + std::to_string(i) +
         "\"\nreplication = \"" + replication + "\"\n";
  }
  return s;
}

}  // namespace cdr::e2e
