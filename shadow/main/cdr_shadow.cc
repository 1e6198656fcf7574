// cdr-shadow: the receiver on the shadow host. Argument parsing and wiring only; the work is in cdr_shadow.
//
//   cdr-shadow --listen 127.0.0.1:0 --replica-dir DIR (--tls-dir DIR | --insecure) [--pid-file FILE]
//   [--ready-file FILE]
//              [--metrics-listen HOST:PORT --metrics-token-file FILE] [--group NAME --server-name NAME]
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "agent/api/control_api.h"
#include "agent/api/http_endpoint.h"
#include "common/clock.h"
#include "common/host_port.h"
#include "common/json_file.h"
#include "common/prometheus_text.h"
#include "common/tls_context.h"
#include "shadow/shadow_metrics.h"
#include "shadow/shadow_server.h"

namespace {

constexpr const char* kUsage =
    "usage: cdr-shadow --listen HOST:PORT --replica-dir DIR (--tls-dir DIR | --insecure)\n"
    "                  [--pid-file FILE] [--ready-file FILE]\n"
    "                  [--max-disk-gib N]\n"
    "                  [--metrics-listen HOST:PORT --metrics-token-file FILE] [--group NAME --server-name "
    "NAME]\n"
    "  HOST is an IPv4 address literal; PORT 0 picks a free port.\n"
    "  --tls-dir: the replication stream is TLS 1.3 with DIR/server-cert.pem and DIR/server-key.pem (0600);\n"
    "    agents must present a certificate signed by DIR/ca-cert.pem whose URI cdr:server/ID (or\n"
    "    cdr:server/ID/disk/DISK) names what their HELLO is for.\n"
    "  --insecure: plain TCP, anyone who reaches the port can write any replica (estate insecure = true).\n"
    "  --max-disk-gib: a HELLO for a larger disk is refused (default 256).\n"
    "  --ready-file: written atomically once listening: {\"pid\": N, \"address\": \"HOST:PORT\"} (and\n"
    "    \"metrics_address\" with --metrics-listen).\n"
    "  --metrics-listen: serve GET /metrics (Prometheus text, bearer token of --metrics-token-file), every\n"
    "    series labelled with cdr's --group and --server-name names.\n"
    "  Recovery points: a DIR/<server>/policy.json {\"every_seconds\": N, \"keep\": K} turns the disks' "
    "history\n"
    "  on (base images, scheduled points, retention); see docs/recovery-points.md.\n"
    "  CDR_CDP_SEGMENT_BYTES (environment): size of the CDP log segments (default 64 MiB, at least 1 MiB).\n";

struct Flags {
  cdr::shadow::ShadowOptions options;
  std::string metrics_listen;
  std::string metrics_token_file;
  cdr::shadow::MetricsNames names;
  std::filesystem::path pid_file;
  std::filesystem::path ready_file;
  std::filesystem::path tls_dir;
  bool insecure = false;
};

std::string ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") return kUsage;
    if (arg == "--insecure") {
      flags->insecure = true;
      continue;
    }
    if (i + 1 >= argc) return "missing value for " + arg;
    const std::string value = argv[++i];
    if (arg == "--listen") {
      cdr::Result<cdr::HostPort> where = cdr::SplitListenAddress(value);
      if (!where.ok()) return "--listen wants HOST:PORT, got " + value + " (" + where.status().message() + ")";
      flags->options.host = where->host;
      flags->options.port = where->port;
    } else if (arg == "--replica-dir") {
      flags->options.replica_dir = value;
    } else if (arg == "--max-disk-gib") {
      if (value.empty() || value.size() > 7 || value.find_first_not_of("0123456789") != std::string::npos ||
          std::stoull(value) == 0) {
        return "--max-disk-gib wants a positive number, got " + value;
      }
      flags->options.max_disk_size = std::stoull(value) << 30;
    } else if (arg == "--tls-dir") {
      flags->tls_dir = value;
    } else if (arg == "--pid-file") {
      flags->pid_file = value;
    } else if (arg == "--ready-file") {
      flags->ready_file = value;
    } else if (arg == "--metrics-listen") {
      flags->metrics_listen = value;
    } else if (arg == "--metrics-token-file") {
      flags->metrics_token_file = value;
    } else if (arg == "--group") {
      flags->names.group = value;
    } else if (arg == "--server-name") {
      flags->names.server = value;
    } else {
      return "unknown argument " + arg;
    }
  }
  if (flags->options.replica_dir.empty()) return "--replica-dir is needed";
  if (flags->tls_dir.empty() == !flags->insecure) {
    return "pass exactly one of --tls-dir DIR (TLS with client certificates) and --insecure (plain TCP)";
  }
  if (!flags->metrics_listen.empty() && flags->metrics_token_file.empty()) {
    return "--metrics-listen needs --metrics-token-file";
  }
  return "";
}

std::unique_ptr<cdr::agent::api::HttpEndpoint> MetricsEndpoint(const Flags& flags, cdr::Status* status) {
  namespace api = cdr::agent::api;
  api::HttpEndpointOptions options;
  options.name = "metrics";
  if (*status = api::ParseListenAddress(flags.metrics_listen, &options); !status->ok()) return nullptr;
  auto token = api::ReadTokenFile(flags.metrics_token_file);
  if (!token.ok()) {
    *status = token.status();
    return nullptr;
  }
  options.token = *token;
  auto endpoint = std::make_unique<api::HttpEndpoint>(
      options, [replica_dir = flags.options.replica_dir, names = flags.names](const api::HttpRequest& request) {
        if (request.path != "/metrics") return api::ApiResponse{404, "text/plain", "not found\n", {}};
        return api::ApiResponse{200, std::string(cdr::kPrometheusTextContentType),
                                cdr::shadow::RenderShadowMetrics(replica_dir, names, cdr::NowUnixNanos()), {}};
      });
  *status = endpoint->Start();
  return endpoint;
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

  if (!flags.tls_dir.empty()) {
    auto tls =
        cdr::TlsContext::Load(cdr::TlsFilesIn(flags.tls_dir, cdr::TlsRole::kServer), cdr::TlsRole::kServer);
    if (!tls.ok()) {
      spdlog::error("--tls-dir: {}", tls.status().ToString());
      return 2;
    }
    flags.options.tls = *tls;
  } else {
    spdlog::warn("--insecure: replication is plain TCP; anyone who reaches {} can write the replicas",
                 flags.options.host);
  }
  cdr::shadow::ShadowServer server(flags.options);
  if (cdr::Status s = server.Start(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  std::unique_ptr<cdr::agent::api::HttpEndpoint> metrics;
  if (!flags.metrics_listen.empty()) {
    cdr::Status s;
    metrics = MetricsEndpoint(flags, &s);
    if (!s.ok()) {
      spdlog::error("--metrics-listen: {}", s.ToString());
      server.Stop();
      return 1;
    }
  }
  if (!flags.pid_file.empty()) std::ofstream(flags.pid_file) << ::getpid() << "\n";
  std::printf("listening on %s\n", server.address().c_str());
  std::fflush(stdout);
  spdlog::info("listening on {}, replicas in {}", server.address(), flags.options.replica_dir.string());
  // Written last and atomically, so whoever waits for it can trust every field once the file exists.
  if (!flags.ready_file.empty()) {
    nlohmann::json ready = {{"pid", ::getpid()}, {"address", server.address()}};
    if (metrics) ready["metrics_address"] = metrics->address();
    if (cdr::Status s = cdr::WriteJsonFileAtomically(flags.ready_file, ready); !s.ok()) {
      spdlog::error("--ready-file: {}", s.ToString());
      server.Stop();
      return 1;
    }
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("stopping on signal {}", signal_number);
  if (metrics) metrics->Stop();
  server.Stop();
  if (!flags.pid_file.empty()) std::filesystem::remove(flags.pid_file);
  if (!flags.ready_file.empty()) std::filesystem::remove(flags.ready_file);
  return 0;
}
