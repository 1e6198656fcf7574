// cdr-agent: exports each protected disk over NBD and records every write (journal + dirty bitmap).
// Argument parsing and wiring only; the work is in the cdr_agent library.
//
//   cdr-agent --listen 127.0.0.1:0 --state-dir /var/lib/cdr-agent --export disk0=/dev/vdb [--export …]
//             [--journal-max-mib 1024] [--journal-segment-mib 64] [--pid-file FILE]
//             [--shadow HOST:PORT --server-id ID [--mode async|sync] [--replication-rate-mib N]]
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "agent/export_stack.h"
#include "agent/nbd_server.h"
#include "agent/replication_sender.h"
#include "agent/sync_replication_device.h"

namespace {

using cdr::agent::BlockDevice;
using cdr::agent::ExportConfig;

struct Flags {
  std::string host = "127.0.0.1";
  uint16_t port = 10809;
  std::vector<std::pair<std::string, std::string>> exports;  // name, path
  std::filesystem::path state_dir;
  uint64_t journal_max_mib = 1024;
  uint64_t journal_segment_mib = 64;
  std::filesystem::path pid_file;
  std::string shadow_host;  // empty: no replication
  uint16_t shadow_port = 0;
  std::string server_id;
  uint64_t replication_rate_mib = 0;
  bool sync_mode = false;
};

constexpr const char* kUsage =
    "usage: cdr-agent --listen HOST:PORT --state-dir DIR --export NAME=PATH [--export NAME=PATH ...]\n"
    "                 [--journal-max-mib N] [--journal-segment-mib N] [--pid-file FILE]\n"
    "                 [--shadow HOST:PORT --server-id ID [--mode async|sync] [--replication-rate-mib N]]\n"
    "  --mode sync acknowledges a write once the shadow has it (async again after 5 s without an ack).\n"
    "  HOST is an address literal (127.0.0.1, [::1]); PORT 0 picks a free port.\n";

std::optional<uint64_t> ParseNumber(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 18) return std::nullopt;
  return std::stoull(s);
}

// Returns an error message, or empty on success.
std::string ParseListen(const std::string& value, Flags* flags) {
  const size_t colon = value.rfind(':');
  if (colon == std::string::npos) return "--listen wants HOST:PORT, got " + value;
  std::string host = value.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::optional<uint64_t> port = ParseNumber(value.substr(colon + 1));
  if (host.empty() || !port || *port > 65535) return "--listen wants HOST:PORT, got " + value;
  flags->host = host;
  flags->port = static_cast<uint16_t>(*port);
  return "";
}

std::string ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") return kUsage;
    const size_t eq = arg.find('=');
    const bool inline_value = arg.rfind("--", 0) == 0 && eq != std::string::npos && arg.rfind("--export", 0) != 0;
    const std::string name = inline_value ? arg.substr(0, eq) : arg;
    std::string value;
    if (inline_value) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return "missing value for " + arg;
    }
    if (name == "--listen") {
      if (std::string e = ParseListen(value, flags); !e.empty()) return e;
    } else if (name == "--export") {
      const size_t at = value.find('=');
      if (at == 0 || at == std::string::npos || at + 1 == value.size()) return "--export wants NAME=PATH";
      flags->exports.emplace_back(value.substr(0, at), value.substr(at + 1));
    } else if (name == "--shadow") {
      Flags parsed;
      if (std::string e = ParseListen(value, &parsed); !e.empty()) return "--shadow wants HOST:PORT, got " + value;
      flags->shadow_host = parsed.host;
      flags->shadow_port = parsed.port;
    } else if (name == "--server-id") {
      flags->server_id = value;
    } else if (name == "--mode") {
      if (value != "async" && value != "sync") return "--mode wants async or sync";
      flags->sync_mode = value == "sync";
    } else if (name == "--replication-rate-mib") {
      const std::optional<uint64_t> n = ParseNumber(value);
      if (!n) return "--replication-rate-mib wants a number (MiB/s, 0 = unlimited)";
      flags->replication_rate_mib = *n;
    } else if (name == "--state-dir") {
      flags->state_dir = value;
    } else if (name == "--pid-file") {
      flags->pid_file = value;
    } else if (name == "--journal-max-mib" || name == "--journal-segment-mib") {
      const std::optional<uint64_t> n = ParseNumber(value);
      if (!n || *n == 0) return name + " wants a positive number";
      (name == "--journal-max-mib" ? flags->journal_max_mib : flags->journal_segment_mib) = *n;
    } else {
      return "unknown argument " + arg;
    }
  }
  if (flags->exports.empty()) return "at least one --export NAME=PATH is needed";
  if (flags->state_dir.empty()) return "--state-dir is needed";
  if (!flags->shadow_host.empty() && flags->server_id.empty()) return "--shadow needs --server-id";
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (std::string error = ParseFlags(argc, argv, &flags); !error.empty()) {
    std::fprintf(stderr, "%s%s", error.c_str(), error == kUsage ? "" : "\n");
    std::fprintf(stderr, "%s", error == kUsage ? "" : kUsage);
    return error == kUsage ? 0 : 2;
  }
  // Logs go to stderr: stdout carries only the "listening on" line that scripts and tests read.
  spdlog::set_default_logger(spdlog::stderr_color_mt("cdr-agent"));

  // Blocked before any thread starts, so only sigwait below ever sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::vector<std::unique_ptr<cdr::agent::ExportStack>> stacks;
  std::vector<cdr::agent::NbdExport> exports;
  for (const auto& [name, path] : flags.exports) {
    ExportConfig config;
    config.name = name;
    config.path = path;
    config.state_dir = flags.state_dir;
    config.journal.max_bytes = flags.journal_max_mib << 20;
    config.journal.segment_bytes = flags.journal_segment_mib << 20;
    auto stack = cdr::agent::ExportStack::Open(config);
    if (!stack.ok()) {
      spdlog::error("export {}: {}", name, stack.status().ToString());
      return 1;
    }
    exports.push_back({name, "cdr protected disk " + path, (*stack)->device()});
    stacks.push_back(std::move(*stack));
  }

  std::vector<std::unique_ptr<cdr::agent::ReplicationSender>> senders;
  std::vector<std::unique_ptr<cdr::agent::SyncReplicationDevice>> sync_devices;
  for (size_t i = 0; i < stacks.size() && !flags.shadow_host.empty(); ++i) {
    const std::filesystem::path export_state = flags.state_dir / stacks[i]->name();
    cdr::Result<uint64_t> epoch = cdr::agent::LoadOrCreateReplicationEpoch(export_state);
    if (!epoch.ok()) {
      spdlog::error("export {}: {}", stacks[i]->name(), epoch.status().ToString());
      return 1;
    }
    cdr::agent::ReplicationOptions options;
    options.host = flags.shadow_host;
    options.port = flags.shadow_port;
    options.server_id = flags.server_id;
    options.disk = stacks[i]->name();
    options.disk_path = flags.exports[i].second;
    options.epoch = *epoch;
    options.rate_bytes_per_second = flags.replication_rate_mib << 20;
    BlockDevice* device = stacks[i]->device();
    senders.push_back(std::make_unique<cdr::agent::ReplicationSender>(options, &stacks[i]->journal(),
                                                                      device->Size(), device->BlockSize()));
    senders.back()->Start();
    if (flags.sync_mode) {
      sync_devices.push_back(std::make_unique<cdr::agent::SyncReplicationDevice>(
          stacks[i]->name(), device, &stacks[i]->journal(), senders.back().get(), std::chrono::seconds(5)));
      exports[i].device = sync_devices.back().get();
    }
  }
  cdr::agent::NbdServer server(exports, {flags.host, flags.port, 64});
  if (cdr::Status s = server.Start(); !s.ok()) {
    spdlog::error("nbd: {}", s.ToString());
    return 1;
  }
  if (!flags.pid_file.empty()) std::ofstream(flags.pid_file) << ::getpid() << "\n";
  std::printf("listening on %s\n", server.address().c_str());
  std::fflush(stdout);
  spdlog::info("nbd: listening on {} with {} export(s)", server.address(), exports.size());

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("stopping on signal {}", signal_number);
  server.Stop();
  for (auto& sender : senders) sender->Stop();
  int rc = 0;
  for (auto& stack : stacks) {
    if (cdr::Status s = stack->CloseClean(); !s.ok()) {
      spdlog::error("export {}: orderly close failed, the next start replays the journal: {}", stack->name(),
                    s.ToString());
      rc = 1;
    }
  }
  if (!flags.pid_file.empty()) std::filesystem::remove(flags.pid_file);
  spdlog::info("stopped");
  return rc;
}
