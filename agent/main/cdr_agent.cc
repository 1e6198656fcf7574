// cdr-agent: exports each protected disk over NBD, records every write (journal + dirty bitmap), replicates
// to the shadow host under a ReplicationManager and serves the control API. Argument parsing and wiring only.
//
//   cdr-agent --listen 127.0.0.1:0 --state-dir /var/lib/cdr-agent --export disk0=/dev/vdb [--export …]
//             (--tls-dir DIR | --insecure) [--nbd-tls-dir DIR] [--api-tls-dir DIR]
//             [--journal-max-mib 1024] [--journal-segment-mib 64] [--pid-file FILE] [--ready-file FILE]
//             [--api-listen 127.0.0.1:0 --api-token-file FILE | --no-api] [--outage-window-seconds 300]
//             [--shadow HOST:PORT --server-id ID [--mode async|sync] [--replication-rate-mib N]]
//             [--verify-interval-seconds 3600] [--verify-sample-mib 64] [--bitmap-clear-ms 5000]
//   cdr-agent --version
//
// The release's version comes from its main (agent/main/release/agent_release_main.cc), the one file CMake
// compiles twice: cdr-agent and cdr-agent-next, a second release the local cloud offers so that an agent
// upgrade can be carried out and tested. Everything here is compiled once for both.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/api/control_api.h"
#include "agent/export_stack.h"
#include "agent/main/run_agent.h"
#include "agent/nbd_server.h"
#include "agent/replication_manager.h"
#include "common/host_port.h"
#include "common/json_file.h"
#include "common/name_rules.h"
#include "common/tls_context.h"

namespace {

using cdr::agent::ExportConfig;

struct Flags {
  std::string host = "127.0.0.1";
  uint16_t port = 10809;
  std::vector<std::pair<std::string, std::string>> exports;  // name, path
  std::filesystem::path state_dir;
  uint64_t journal_max_mib = 1024;
  uint64_t journal_segment_mib = 64;
  std::filesystem::path pid_file;
  std::filesystem::path ready_file;
  std::string api_host = "127.0.0.1";
  uint16_t api_port = 0;
  std::string api_token_file;  // empty: no control API
  bool no_api = false;
  std::string shadow_address;  // empty: no start at launch (the persisted desired state applies)
  std::string server_id;
  uint64_t replication_rate_mib = 0;
  bool sync_mode = false;
  int outage_window_seconds = 300;
  std::filesystem::path tls_dir;
  bool insecure = false;
  uint64_t verify_interval_seconds = 3600;
  uint64_t verify_sample_mib = 64;
  uint64_t bitmap_clear_ms = 5000;
  std::filesystem::path nbd_tls_dir;  // empty: plain NBD
  std::filesystem::path api_tls_dir;  // empty: plain HTTP (only with --insecure)
};

constexpr const char* kUsage =
    "usage: cdr-agent --version\n"
    "       cdr-agent --listen HOST:PORT --state-dir DIR --export NAME=PATH [--export NAME=PATH ...]\n"
    "                 (--tls-dir DIR | --insecure) [--nbd-tls-dir DIR] [--api-tls-dir DIR]\n"
    "                 [--journal-max-mib N] [--journal-segment-mib N] [--pid-file FILE] [--ready-file FILE]\n"
    "                 [--api-listen HOST:PORT --api-token-file FILE | --no-api] [--outage-window-seconds N]\n"
    "                 [--shadow HOST:PORT --server-id ID [--mode async|sync] [--replication-rate-mib N]]\n"
    "                 [--verify-interval-seconds N] [--verify-sample-mib N] [--bitmap-clear-ms N]\n"
    "  --verify-interval-seconds: compare --verify-sample-mib of each disk in realtime with its replica this often\n"
    "    (online verify; a rolling cursor covers the whole disk over successive rounds; 0 = only on demand).\n"
    "  --bitmap-clear-ms: at most this often, clear a disk's dirty bitmap once its replica has every write, so a\n"
    "    resync after an agent crash compares only what changed since (default 5000; 0 = never clear).\n"
    "  --tls-dir: replicate over TLS 1.3 with DIR/client-cert.pem and DIR/client-key.pem (0600), trusting\n"
    "    shadow hosts whose certificate DIR/ca-cert.pem signed for the address connected to.\n"
    "  --insecure: replicate over plain TCP and serve the control API over plain HTTP (estate insecure = true).\n"
    "  --api-tls-dir: the control API is HTTPS with DIR/server-cert.pem, DIR/server-key.pem and serves only\n"
    "    clients whose certificate DIR/ca-cert.pem signed for cdr:operator (and the bearer token); needed for\n"
    "    the API unless --insecure.\n"
    "  --nbd-tls-dir: NBD clients must upgrade with STARTTLS and present a certificate DIR/ca-cert.pem signed\n"
    "    (the export presents DIR/server-cert.pem, DIR/server-key.pem); without it NBD is plain.\n"
    "  --shadow starts replicating at launch with that target; without it the agent comes back in the state\n"
    "  it was left in (STATE_DIR/replication.json): replicating again, or stopped.\n"
    "  --mode sync acknowledges a write once the shadow has it (async again after 5 s without an ack).\n"
    "  --api-token-file enables the control API (bearer token); without it, or with --no-api, there is "
    "none.\n"
    "  --ready-file is written atomically once NBD and the API listen:\n"
    "    {\"pid\": N, \"nbd_address\": \"HOST:PORT\", \"nbd_tls\": true|false, \"api_address\": \"HOST:PORT\" or null}\n"
    "  HOST is an address literal (127.0.0.1, [::1]); PORT 0 picks a free port.\n";

std::optional<uint64_t> ParseNumber(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 18)
    return std::nullopt;
  return std::stoull(s);
}

// Returns an error message naming `flag`, or empty on success.
std::string ParseHostPort(const std::string& flag, const std::string& value, std::string* host_out,
                          uint16_t* port_out) {
  cdr::Result<cdr::HostPort> where = cdr::SplitListenAddress(value);
  if (!where.ok()) return flag + " wants HOST:PORT, got " + value + " (" + where.status().message() + ")";
  *host_out = where->host;
  *port_out = where->port;
  return "";
}

std::string ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") return kUsage;
    const size_t eq = arg.find('=');
    const bool inline_value =
        arg.rfind("--", 0) == 0 && eq != std::string::npos && arg.rfind("--export", 0) != 0;
    const std::string name = inline_value ? arg.substr(0, eq) : arg;
    if (name == "--no-api" || name == "--insecure") {
      (name == "--no-api" ? flags->no_api : flags->insecure) = true;
      continue;
    }
    std::string value;
    if (inline_value) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return "missing value for " + arg;
    }
    if (name == "--listen") {
      if (std::string e = ParseHostPort(name, value, &flags->host, &flags->port); !e.empty()) return e;
    } else if (name == "--api-listen") {
      if (std::string e = ParseHostPort(name, value, &flags->api_host, &flags->api_port); !e.empty())
        return e;
    } else if (name == "--api-token-file") {
      flags->api_token_file = value;
    } else if (name == "--tls-dir") {
      flags->tls_dir = value;
    } else if (name == "--nbd-tls-dir") {
      flags->nbd_tls_dir = value;
    } else if (name == "--api-tls-dir") {
      flags->api_tls_dir = value;
    } else if (name == "--ready-file") {
      flags->ready_file = value;
    } else if (name == "--outage-window-seconds") {
      const std::optional<uint64_t> n = ParseNumber(value);
      if (!n || *n == 0 || *n > 1000000000) return "--outage-window-seconds wants a positive number";
      flags->outage_window_seconds = static_cast<int>(*n);
    } else if (name == "--export") {
      const size_t at = value.find('=');
      if (at == 0 || at == std::string::npos || at + 1 == value.size()) return "--export wants NAME=PATH";
      // The name becomes the replica's file name on the shadow, which checks it with the same rule.
      if (std::string problems = cdr::IdentifierProblems(value.substr(0, at)); !problems.empty()) {
        return "--export NAME: " + problems;
      }
      flags->exports.emplace_back(value.substr(0, at), value.substr(at + 1));
    } else if (name == "--shadow") {
      // Where to connect, so the connect rule (port 1..65535), not the listen one.
      cdr::Result<cdr::HostPort> shadow = cdr::SplitHostPort(value);
      if (!shadow.ok()) return "--shadow wants HOST:PORT, got " + value + " (" + shadow.status().message() + ")";
      flags->shadow_address = value;
    } else if (name == "--server-id") {
      if (std::string problems = cdr::IdentifierProblems(value); !problems.empty())
        return "--server-id: " + problems;
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
    } else if (name == "--verify-interval-seconds" || name == "--verify-sample-mib") {
      const std::optional<uint64_t> n = ParseNumber(value);
      if (!n || *n > 1000000000) return name + " wants a number (0 ≤ N ≤ 10^9)";
      (name == "--verify-interval-seconds" ? flags->verify_interval_seconds : flags->verify_sample_mib) = *n;
    } else if (name == "--bitmap-clear-ms") {
      const std::optional<uint64_t> n = ParseNumber(value);
      if (!n || *n > 86400000) return "--bitmap-clear-ms wants a number of milliseconds (0 ≤ N ≤ 86400000)";
      flags->bitmap_clear_ms = *n;
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
  if (!flags->shadow_address.empty() && flags->server_id.empty()) return "--shadow needs --server-id";
  if (flags->tls_dir.empty() == !flags->insecure) {
    return "pass exactly one of --tls-dir DIR (TLS with this agent's certificate) and --insecure (plain TCP)";
  }
  if (flags->no_api && !flags->api_token_file.empty())
    return "--no-api and --api-token-file exclude each other";
  if (!flags->api_token_file.empty() && flags->api_tls_dir.empty() && !flags->insecure) {
    return "the control API needs --api-tls-dir DIR (HTTPS with client certificates), or --insecure for plain "
           "HTTP";
  }
  return "";
}

// --shadow: start with that target. A launch that finds the disks in replication_error (an interrupted
// repair, an unclean shutdown) repairs instead, which also ends in realtime.
void StartAtLaunch(const Flags& flags, cdr::agent::ReplicationManager* manager) {
  cdr::agent::ReplicationTarget target;
  target.shadow_address = flags.shadow_address;
  target.server_id = flags.server_id;
  target.sync_mode = flags.sync_mode;
  target.rate_bytes_per_second = flags.replication_rate_mib << 20;
  target.outage_window_seconds = flags.outage_window_seconds;
  cdr::Status s = manager->Start(target);
  if (!s.ok() && s.code() == cdr::StatusCode::kFailedPrecondition) {
    cdr::Result<cdr::agent::AgentStatus> status = manager->GetStatus();
    if (status.ok() && status->state == "replication_error") s = manager->Repair();
  }
  if (!s.ok()) spdlog::error("--shadow {}: replication not started: {}", flags.shadow_address, s.ToString());
}

cdr::Status WriteReadyFile(const std::filesystem::path& path, const std::string& nbd_address, bool nbd_tls,
                           const std::string& api_address) {
  const nlohmann::json ready = {
      {"pid", ::getpid()},
      {"nbd_address", nbd_address},
      {"nbd_tls", nbd_tls},
      {"api_address", api_address.empty() ? nlohmann::json(nullptr) : nlohmann::json(api_address)}};
  return cdr::WriteJsonFileAtomically(path, ready);
}

}  // namespace

int cdr::agent::RunAgent(int argc, char** argv, const char* version) {
  if (argc == 2 && std::string(argv[1]) == "--version") {
    std::printf("cdr-agent %s\n", version);
    return 0;
  }
  Flags flags;
  if (std::string error = ParseFlags(argc, argv, &flags); !error.empty()) {
    std::fprintf(stderr, "%s%s", error.c_str(), error == kUsage ? "" : "\n");
    std::fprintf(stderr, "%s", error == kUsage ? "" : kUsage);
    return error == kUsage ? 0 : 2;
  }
  // Logs go to stderr: stdout carries only the "listening on" line that scripts and tests read.
  spdlog::set_default_logger(spdlog::stderr_color_mt("cdr-agent"));
  spdlog::info("cdr-agent {}", version);

  std::string api_token;
  if (!flags.api_token_file.empty()) {
    cdr::Result<std::string> token = cdr::agent::api::ReadTokenFile(flags.api_token_file);
    if (!token.ok()) {
      spdlog::error("--api-token-file: {}", token.status().ToString());
      return 2;
    }
    api_token = *token;
  } else if (!flags.no_api) {
    spdlog::warn("no --api-token-file: the control API is off (pass --no-api to say so)");
  }

  // Blocked before any thread starts, so only sigwait below ever sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto fence = cdr::agent::WriteFence::Open(flags.state_dir);
  if (!fence.ok()) {
    spdlog::error("fence: {}", fence.status().ToString());
    return 1;
  }
  std::vector<std::unique_ptr<cdr::agent::ExportStack>> stacks;
  std::vector<cdr::agent::ProtectedDisk> disks;
  for (const auto& [name, path] : flags.exports) {
    ExportConfig config;
    config.name = name;
    config.path = path;
    config.state_dir = flags.state_dir;
    config.fence = *fence;
    config.journal.max_bytes = flags.journal_max_mib << 20;
    config.journal.segment_bytes = flags.journal_segment_mib << 20;
    auto stack = cdr::agent::ExportStack::Open(config);
    if (!stack.ok()) {
      spdlog::error("export {}: {}", name, stack.status().ToString());
      return 1;
    }
    disks.push_back({stack->get(), path});
    stacks.push_back(std::move(*stack));
  }

  std::shared_ptr<const cdr::TlsContext> shadow_tls;
  if (!flags.tls_dir.empty()) {
    auto tls =
        cdr::TlsContext::Load(cdr::TlsFilesIn(flags.tls_dir, cdr::TlsRole::kClient), cdr::TlsRole::kClient);
    if (!tls.ok()) {
      spdlog::error("--tls-dir: {}", tls.status().ToString());
      return 2;
    }
    shadow_tls = *tls;
  } else {
    spdlog::warn("--insecure: replication is plain TCP, unauthenticated and unencrypted");
  }
  auto manager = cdr::agent::ReplicationManager::Open(
      {.state_dir = flags.state_dir,
       .fence = *fence,
       .shadow_tls = shadow_tls,
       .verify = {std::chrono::seconds(flags.verify_interval_seconds), flags.verify_sample_mib << 20},
       .bitmap_clear_interval = std::chrono::milliseconds(flags.bitmap_clear_ms),
       .version = version},
      disks);
  if (!manager.ok()) {
    spdlog::error("replication: {}", manager.status().ToString());
    return 1;
  }
  std::vector<cdr::agent::NbdExport> exports;
  for (size_t i = 0; i < stacks.size(); ++i) {
    exports.push_back(
        {stacks[i]->name(), "cdr protected disk " + flags.exports[i].second, (*manager)->device(i)});
  }
  cdr::agent::NbdServerOptions nbd_options{.host = flags.host, .port = flags.port};
  if (!flags.nbd_tls_dir.empty()) {
    auto tls = cdr::TlsContext::Load(cdr::TlsFilesIn(flags.nbd_tls_dir, cdr::TlsRole::kServer),
                                     cdr::TlsRole::kServer);
    if (!tls.ok()) {
      spdlog::error("--nbd-tls-dir: {}", tls.status().ToString());
      return 2;
    }
    nbd_options.tls = *tls;
  }
  cdr::agent::NbdServer server(exports, nbd_options);
  if (cdr::Status s = server.Start(); !s.ok()) {
    spdlog::error("nbd: {}", s.ToString());
    return 1;
  }
  (*manager)->set_nbd_address(server.address());
  spdlog::info("nbd: listening on {} with {} export(s)", server.address(), exports.size());

  if (!flags.shadow_address.empty()) {
    StartAtLaunch(flags, manager->get());
  } else if (cdr::Status s = (*manager)->ResumeDesiredState(); !s.ok()) {
    spdlog::error("replication: could not resume the persisted state: {}", s.ToString());
  }

  std::unique_ptr<cdr::agent::api::ControlApi> api;
  if (!api_token.empty()) {
    cdr::agent::api::ControlApiOptions api_options{flags.api_host, flags.api_port, api_token, nullptr};
    if (!flags.api_tls_dir.empty()) {
      auto tls = cdr::TlsContext::Load(cdr::TlsFilesIn(flags.api_tls_dir, cdr::TlsRole::kServer),
                                       cdr::TlsRole::kServer);
      if (!tls.ok()) {
        spdlog::error("--api-tls-dir: {}", tls.status().ToString());
        return 2;
      }
      api_options.tls = *tls;
    } else {
      spdlog::warn("--insecure: the control API is plain HTTP, its bearer token readable on the network");
    }
    api = std::make_unique<cdr::agent::api::ControlApi>(std::move(api_options), manager->get());
    if (cdr::Status s = api->Start(); !s.ok()) {
      spdlog::error("control api: {}", s.ToString());
      return 1;
    }
  }

  if (!flags.pid_file.empty()) std::ofstream(flags.pid_file) << ::getpid() << "\n";
  std::printf("listening on %s\n", server.address().c_str());
  std::fflush(stdout);
  if (!flags.ready_file.empty()) {
    if (cdr::Status s = WriteReadyFile(flags.ready_file, server.address(), !flags.nbd_tls_dir.empty(),
                                      api ? api->address() : "");
        !s.ok()) {
      spdlog::error("--ready-file: {}", s.ToString());
      return 1;
    }
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("stopping on signal {}", signal_number);
  if (api) api->Stop();
  server.Stop();
  // Keeps the desired state: the next start comes back replicating (or stopped) as before.
  (*manager)->Shutdown();
  manager->reset();
  int rc = 0;
  for (auto& stack : stacks) {
    if (cdr::Status s = stack->CloseClean(); !s.ok()) {
      spdlog::error("export {}: orderly close failed, the next start replays the journal: {}", stack->name(),
                    s.ToString());
      rc = 1;
    }
  }
  if (!flags.pid_file.empty()) std::filesystem::remove(flags.pid_file);
  if (!flags.ready_file.empty()) std::filesystem::remove(flags.ready_file);
  spdlog::info("stopped");
  return rc;
}
