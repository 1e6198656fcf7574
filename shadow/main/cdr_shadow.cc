// cdr-shadow: the receiver on the shadow host. Argument parsing and wiring only; the work is in cdr_shadow.
//
//   cdr-shadow --listen 127.0.0.1:0 --replica-dir DIR [--pid-file FILE] [--ready-file FILE]
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/json_file.h"
#include "shadow/shadow_server.h"

namespace {

constexpr const char* kUsage =
    "usage: cdr-shadow --listen HOST:PORT --replica-dir DIR [--pid-file FILE] [--ready-file FILE]\n"
    "                  [--max-disk-gib N]\n"
    "  HOST is an IPv4 address literal; PORT 0 picks a free port.\n"
    "  --max-disk-gib: a HELLO for a larger disk is refused (default 256).\n"
    "  --ready-file: written atomically once listening: {\"pid\": N, \"address\": \"HOST:PORT\"}.\n"
    "  Recovery points: a DIR/<server>/policy.json {\"every_seconds\": N, \"keep\": K} turns the disks' "
    "history\n"
    "  on (base images, scheduled points, retention); see docs/recovery-points.md.\n"
    "  CDR_CDP_SEGMENT_BYTES (environment): size of the CDP log segments (default 64 MiB, at least 1 MiB).\n";

struct Flags {
  cdr::shadow::ShadowOptions options;
  std::filesystem::path pid_file;
  std::filesystem::path ready_file;
};

std::string ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") return kUsage;
    if (i + 1 >= argc) return "missing value for " + arg;
    const std::string value = argv[++i];
    if (arg == "--listen") {
      const size_t colon = value.rfind(':');
      const std::string port = colon == std::string::npos ? "" : value.substr(colon + 1);
      if (colon == 0 || port.empty() || port.size() > 5 ||
          port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
        return "--listen wants HOST:PORT, got " + value;
      }
      flags->options.host = value.substr(0, colon);
      flags->options.port = static_cast<uint16_t>(std::stoul(port));
    } else if (arg == "--replica-dir") {
      flags->options.replica_dir = value;
    } else if (arg == "--max-disk-gib") {
      if (value.empty() || value.size() > 7 || value.find_first_not_of("0123456789") != std::string::npos ||
          std::stoull(value) == 0) {
        return "--max-disk-gib wants a positive number, got " + value;
      }
      flags->options.max_disk_size = std::stoull(value) << 30;
    } else if (arg == "--pid-file") {
      flags->pid_file = value;
    } else if (arg == "--ready-file") {
      flags->ready_file = value;
    } else {
      return "unknown argument " + arg;
    }
  }
  if (flags->options.replica_dir.empty()) return "--replica-dir is needed";
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (std::string error = ParseFlags(argc, argv, &flags); !error.empty()) {
    const bool help = error == kUsage;
    std::fprintf(stderr, "%s%s%s", help ? "" : error.c_str(), help ? "" : "\n", kUsage);
    return help ? 0 : 2;
  }
  // Logs go to stderr: stdout carries only the "listening on" line that scripts and tests read.
  spdlog::set_default_logger(spdlog::stderr_color_mt("cdr-shadow"));
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  cdr::shadow::ShadowServer server(flags.options);
  if (cdr::Status s = server.Start(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  if (!flags.pid_file.empty()) std::ofstream(flags.pid_file) << ::getpid() << "\n";
  std::printf("listening on %s\n", server.address().c_str());
  std::fflush(stdout);
  spdlog::info("listening on {}, replicas in {}", server.address(), flags.options.replica_dir.string());
  // Written last and atomically, so whoever waits for it can trust every field once the file exists.
  if (!flags.ready_file.empty()) {
    const nlohmann::json ready = {{"pid", ::getpid()}, {"address", server.address()}};
    if (cdr::Status s = cdr::WriteJsonFileAtomically(flags.ready_file, ready); !s.ok()) {
      spdlog::error("--ready-file: {}", s.ToString());
      server.Stop();
      return 1;
    }
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("stopping on signal {}", signal_number);
  server.Stop();
  if (!flags.pid_file.empty()) std::filesystem::remove(flags.pid_file);
  if (!flags.ready_file.empty()) std::filesystem::remove(flags.ready_file);
  return 0;
}
