#include "providers/local/internal/detached_spawn.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cdr::providers::local::internal {
namespace {

// What the intermediate child and the grandchild report through the pipe. Each message is far below
// PIPE_BUF, so writes from the two processes never interleave.
struct Message {
  char kind;  // 'p': grandchild pid, 'f': fork errno, 'e': exec errno
  int value;
};

void Send(int fd, char kind, int value) {
  Message m{kind, value};
  while (::write(fd, &m, sizeof m) < 0 && errno == EINTR) {
  }
}

// Everything below runs between fork and exec of a possibly multi-threaded caller: only async-signal-safe
// calls, no allocation.
[[noreturn]] void ExecGrandchild(const char* program, char* const argv[], int null_fd, int log_fd,
                                 int pipe_fd) {
  ::dup2(null_fd, STDIN_FILENO);
  ::dup2(log_fd, STDOUT_FILENO);
  ::dup2(log_fd, STDERR_FILENO);
  // The caller may block or ignore signals (the agent itself blocks SIGTERM to sigwait on it); the program
  // must start from the defaults.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
  // Descriptors some library opened without O_CLOEXEC would otherwise leak; CLOEXEC rather than close keeps
  // the pipe usable for reporting an exec failure.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < 4096; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  if (::chdir("/") != 0) {
    Send(pipe_fd, 'e', errno);
    ::_exit(127);
  }
  ::execv(program, argv);
  Send(pipe_fd, 'e', errno);
  ::_exit(127);
}

}  // namespace

Result<pid_t> SpawnDetached(const std::filesystem::path& program, const std::vector<std::string>& args,
                            const std::filesystem::path& log_file) {
  const std::string program_text = program.string();
  std::vector<std::string> storage;
  storage.reserve(args.size() + 1);
  storage.push_back(program_text);
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);

  const int log_fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Internal(log_file.string() + ": " + std::strerror(errno));
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int pipe_fds[2] = {-1, -1};
  if (null_fd < 0 || ::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    const int err = errno;
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return Internal(std::string("cannot prepare to start ") + program_text + ": " + std::strerror(err));
  }

  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    ::setsid();
    const pid_t grandchild = ::fork();
    if (grandchild == 0) ExecGrandchild(program_text.c_str(), argv.data(), null_fd, log_fd, pipe_fds[1]);
    if (grandchild < 0) {
      Send(pipe_fds[1], 'f', errno);
    } else {
      Send(pipe_fds[1], 'p', grandchild);
    }
    ::_exit(0);
  }
  const int fork_errno = errno;
  ::close(pipe_fds[1]);
  ::close(log_fd);
  ::close(null_fd);
  if (child < 0) {
    ::close(pipe_fds[0]);
    return Internal(std::string("fork for ") + program_text + ": " + std::strerror(fork_errno));
  }
  int wait_status = 0;
  while (::waitpid(child, &wait_status, 0) < 0 && errno == EINTR) {
  }

  // Read until EOF: the pipe closes once the grandchild's exec succeeded (O_CLOEXEC) or it exited.
  pid_t pid = -1;
  int fork_error = 0;
  int exec_error = 0;
  Message m{};
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], &m, sizeof m);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof m)) break;
    if (m.kind == 'p') pid = m.value;
    if (m.kind == 'f') fork_error = m.value;
    if (m.kind == 'e') exec_error = m.value;
  }
  ::close(pipe_fds[0]);
  if (fork_error != 0) return Internal("fork for " + program_text + ": " + std::strerror(fork_error));
  if (exec_error != 0)
    return FailedPrecondition("cannot run " + program_text + ": " + std::strerror(exec_error));
  if (pid <= 0) return Internal("starting " + program_text + ": no pid reported");
  return pid;
}

}  // namespace cdr::providers::local::internal
