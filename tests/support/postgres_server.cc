#include "tests/support/postgres_server.h"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace cdr::testing {
namespace fs = std::filesystem;
namespace {

constexpr auto kStartDeadline = std::chrono::seconds(90);

std::string BinDir() {
  // Debian's layout; the newest version wins.
  std::string best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(entry.path() / "bin" / "postgres") && entry.path().string() > best) best = entry.path().string();
  }
  return best.empty() ? "" : best + "/bin";
}

// fork + exec with stdout/stderr to `log`, as the postgres user when we are root.
pid_t SpawnAsPostgres(const std::vector<std::string>& args, const fs::path& log, bool die_with_parent) {
  const passwd* pg = geteuid() == 0 ? getpwnam("postgres") : nullptr;
  if (geteuid() == 0 && pg == nullptr) return -1;
  std::vector<std::string> storage = args;
  std::vector<char*> argv;
  for (auto& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid != 0) return pid;
  if (pg != nullptr && (setgroups(0, nullptr) != 0 || setgid(pg->pw_gid) != 0 || setuid(pg->pw_uid) != 0)) _exit(126);
  // After setuid, which clears it. SIGQUIT: postgres's immediate shutdown, which also ends its children.
  if (die_with_parent && (prctl(PR_SET_PDEATHSIG, SIGQUIT) != 0 || getppid() != parent)) _exit(125);
  int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int null = open("/dev/null", O_RDONLY);
  if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) _exit(124);
  execv(argv[0], argv.data());
  _exit(127);
}

// Waits (bounded) for `pid`; its exit code, or -1 when it had to be killed.
int WaitBounded(pid_t pid, std::chrono::seconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  int status = 0;
  while (std::chrono::steady_clock::now() < end) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (r < 0) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

std::string ReadLog(const fs::path& path) {
  std::string out;
  if (FILE* f = fopen(path.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    fclose(f);
  }
  return out.size() > 2000 ? out.substr(out.size() - 2000) : out;
}

std::string AdminUrl(const std::string& socket_dir, const std::string& database) {
  return "postgresql:///" + database + "?host=" + socket_dir + "&user=postgres";
}

// One statement on the maintenance database; "" or the error.
std::string Admin(const std::string& socket_dir, const std::string& sql) {
  PGconn* conn = PQconnectdb(AdminUrl(socket_dir, "postgres").c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) error = PQerrorMessage(conn);
    PQclear(r);
  }
  PQfinish(conn);
  return error;
}

// The server this binary started itself, when ctest's fixture did not provide one.
class OwnServer {
 public:
  bool Start(std::string* error) {
    const std::string bin = BinDir();
    if (bin.empty()) return Fail(error, "no PostgreSQL under /usr/lib/postgresql (install the postgresql package)");
    std::string pattern = "/tmp/cdr-pg-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) return Fail(error, "mkdtemp failed");
    dir_ = pattern;
    chmod(dir_.c_str(), 0755);
    if (geteuid() == 0) {
      const passwd* pg = getpwnam("postgres");
      if (pg == nullptr || chown(dir_.c_str(), pg->pw_uid, pg->pw_gid) != 0) {
        return Fail(error, "running as root needs a `postgres` user to own " + dir_.string());
      }
    }
    const fs::path log = dir_ / "server.log";
    pid_t init = SpawnAsPostgres({bin + "/initdb", "-D", (dir_ / "data").string(), "-A", "trust", "-U", "postgres",
                                  "-E", "UTF8", "--no-sync"},
                                 log, /*die_with_parent=*/true);
    if (init < 0 || WaitBounded(init, std::chrono::seconds(120)) != 0) {
      return Fail(error, "initdb failed: " + ReadLog(log));
    }
    pid_ = SpawnAsPostgres({bin + "/postgres", "-D", (dir_ / "data").string(), "-k", dir_.string(), "-c",
                            "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
                            "full_page_writes=off", "-c", "max_connections=200"},
                           log, /*die_with_parent=*/true);
    if (pid_ < 0) return Fail(error, "cannot start postgres");
    const auto end = std::chrono::steady_clock::now() + kStartDeadline;
    while (std::chrono::steady_clock::now() < end) {
      if (Admin(dir_.string(), "SELECT 1").empty()) return true;
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return Fail(error, "postgres exited: " + ReadLog(log));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return Fail(error, "postgres did not accept connections within 90 s: " + ReadLog(log));
  }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGQUIT);
      WaitBounded(pid_, std::chrono::seconds(30));
      pid_ = -1;
    }
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
      dir_.clear();
    }
  }

  std::string socket_dir() const { return dir_.string(); }

 private:
  bool Fail(std::string* error, const std::string& why) {
    *error = why;
    Stop();
    return false;
  }

  fs::path dir_;
  pid_t pid_ = -1;
};

struct Shared {
  std::mutex mu;
  bool tried = false;
  std::string socket_dir;
  std::string error;
  OwnServer own;
};

Shared& State() {
  static Shared* shared = new Shared();  // never destroyed: the Environment below stops the server
  return *shared;
}

class StopOwnServer : public ::testing::Environment {
 public:
  void TearDown() override {
    std::lock_guard<std::mutex> lock(State().mu);
    State().own.Stop();
  }
};

[[maybe_unused]] const auto* const kRegistered = ::testing::AddGlobalTestEnvironment(new StopOwnServer());

std::string SocketDir(std::string* error) {
  Shared& s = State();
  std::lock_guard<std::mutex> lock(s.mu);
  if (!s.tried) {
    s.tried = true;
    const char* fixture = std::getenv("CDR_TEST_POSTGRES_DIR");
    if (fixture != nullptr && *fixture && Admin(fixture, "SELECT 1").empty()) {
      s.socket_dir = fixture;
    } else if (s.own.Start(&s.error)) {
      s.socket_dir = s.own.socket_dir();
    }
  }
  *error = s.error;
  return s.socket_dir;
}

}  // namespace

std::string NewPostgresDatabase(std::string* error) {
  const std::string socket_dir = SocketDir(error);
  if (socket_dir.empty()) return "";
  static std::atomic<int> counter{0};
  const std::string name = "cdr_test_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  if (std::string e = Admin(socket_dir, "CREATE DATABASE " + name); !e.empty()) {
    *error = "CREATE DATABASE " + name + ": " + e;
    return "";
  }
  return AdminUrl(socket_dir, name);
}

void DropPostgresDatabase(const std::string& url) {
  const auto slash = url.find(":///");
  const auto query = url.find('?');
  const auto host = url.find("host=");
  if (slash == std::string::npos || query == std::string::npos || host == std::string::npos) return;
  const std::string name = url.substr(slash + 4, query - slash - 4);
  const std::string socket_dir = url.substr(host + 5, url.find('&', host) - host - 5);
  Admin(socket_dir, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

}  // namespace cdr::testing
