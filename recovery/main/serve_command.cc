#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "agent/api/control_api.h"
#include "agent/api/http_endpoint.h"
#include "agent/file_backend.h"
#include "agent/nbd_server.h"
#include "common/clock.h"
#include "common/host_port.h"
#include "common/json_file.h"
#include "common/prometheus_text.h"
#include "common/tls_context.h"
#include "recovery/dr_disks.h"
#include "recovery/dr_host_metrics.h"
#include "recovery/failover_changes_map.h"
#include "recovery/main/commands.h"

namespace cdr::recovery::cli {
namespace fs = std::filesystem;
namespace {

Status ParseListen(const std::string& value, agent::NbdServerOptions* options) {
  Result<HostPort> where = SplitListenAddress(value);
  if (!where.ok()) {
    return InvalidArgument("--listen wants HOST:PORT, got " + value + " (" + where.status().message() + ")");
  }
  options->host = where->host;
  options->port = where->port;
  return Status::Ok();
}

// Blocked before any thread starts, so every thread inherits the mask and only sigwait sees them.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Serves /metrics until the returned endpoint is destroyed; nullptr when --metrics-listen is not given.
Result<std::unique_ptr<agent::api::HttpEndpoint>> StartMetrics(const ServeFlags& flags, DrHostMetricsInfo info) {
  if (flags.metrics_listen.empty()) return std::unique_ptr<agent::api::HttpEndpoint>();
  agent::api::HttpEndpointOptions options;
  options.name = "metrics";
  CDR_RETURN_IF_ERROR(agent::api::ParseListenAddress(flags.metrics_listen, &options));
  auto token = agent::api::ReadTokenFile(flags.metrics_token_file.string());
  if (!token.ok()) return token.status();
  options.token = *token;
  auto endpoint = std::make_unique<agent::api::HttpEndpoint>(options, [info](const agent::api::HttpRequest& r) {
    if (r.path != "/metrics") return agent::api::ApiResponse{404, "text/plain", "not found\n", {}};
    return agent::api::ApiResponse{200, std::string(kPrometheusTextContentType),
                                   RenderDrHostMetrics(info, NowUnixNanos()), {}};
  });
  CDR_RETURN_IF_ERROR(endpoint->Start());
  return endpoint;
}

struct Served {
  std::string name;
  agent::BlockDevice* device;
};

// Starts the NBD server, writes the ready file last, waits for SIGTERM/SIGINT, stops the server.
int ServeUntilSignal(const std::vector<Served>& disks, const ServeFlags& flags, const sigset_t& signals,
                     nlohmann::json ready) {
  agent::NbdServerOptions options;
  if (Status s = ParseListen(flags.listen, &options); !s.ok()) {
    spdlog::error("{}", s.message());
    return 2;
  }
  if (!flags.tls_dir.empty()) {
    auto tls = TlsContext::Load(TlsFilesIn(flags.tls_dir, TlsRole::kServer), TlsRole::kServer);
    if (!tls.ok()) {
      spdlog::error("--tls-dir: {}", tls.status().ToString());
      return 2;
    }
    options.tls = *tls;
  }
  std::vector<agent::NbdExport> exports;
  ready["exports"] = nlohmann::json::array();
  for (const Served& d : disks) {
    exports.push_back({d.name, "DR disk " + d.name, d.device});
    ready["exports"].push_back({{"disk", d.name}, {"size", d.device->Size()}});
  }
  agent::NbdServer server(std::move(exports), options);
  if (Status s = server.Start(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  DrHostMetricsInfo info{flags.group, flags.server_name, flags.dr_host, flags.purpose, !flags.image_dir.empty()};
  if (ready.contains("point") && ready["point"].is_object()) info.point_time_ns = ready["point"].value("time_ns", uint64_t{0});
  info.disks = static_cast<int>(disks.size());
  info.verification_file = flags.verification_file;
  auto metrics = StartMetrics(flags, info);
  if (!metrics.ok()) {
    spdlog::error("--metrics-listen: {}", metrics.status().ToString());
    server.Stop();
    return 1;
  }
  if (*metrics) ready["metrics_address"] = (*metrics)->address();
  ready["pid"] = ::getpid();
  ready["address"] = server.address();
  ready["tls"] = options.tls != nullptr;
  if (Status s = WriteJsonFileAtomically(flags.ready_file, ready); !s.ok()) {
    spdlog::error("--ready-file: {}", s.ToString());
    return 1;
  }
  spdlog::info("serving {} disk(s) on {}", disks.size(), server.address());
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("stopping on signal {}", signal_number);
  if (*metrics) (*metrics)->Stop();
  server.Stop();
  std::error_code ec;
  fs::remove(flags.ready_file, ec);
  return 0;
}

int ServeImages(const ServeFlags& flags, const sigset_t& signals) {
  std::vector<std::unique_ptr<agent::BlockDevice>> backends;
  std::vector<std::shared_ptr<agent::DirtyBitmap>> change_maps;
  std::vector<Served> disks;
  std::error_code ec;
  std::vector<fs::path> images;
  for (const auto& entry : fs::directory_iterator(flags.image_dir, ec)) {
    if (entry.path().extension() == ".img" && entry.is_regular_file()) images.push_back(entry.path());
  }
  std::sort(images.begin(), images.end());
  if (images.empty()) {
    spdlog::error("--image-dir {}: no <disk>.img to serve", flags.image_dir.string());
    return 1;
  }
  for (const fs::path& image : images) {
    Result<std::unique_ptr<agent::FileBackend>> backend = agent::FileBackend::Open(image);
    if (!backend.ok()) {
      spdlog::error("{}", backend.status().ToString());
      return 1;
    }
    std::shared_ptr<agent::DirtyBitmap> map;
    auto tracked = TrackFailoverChanges(image, std::move(*backend), &map);
    if (!tracked.ok()) {
      spdlog::error("{}", tracked.status().ToString());
      return 1;
    }
    disks.push_back({image.stem().string(), tracked->get()});
    backends.push_back(std::move(*tracked));
    if (map) change_maps.push_back(std::move(map));
  }
  int code = ServeUntilSignal(disks, flags, signals, nlohmann::json{{"point", nullptr}, {"index_ms", 0}});
  for (auto& backend : backends) (void)backend->Flush();
  for (auto& map : change_maps) {
    if (Status s = map->CloseClean(); !s.ok()) {
      spdlog::error("closing a change map: {}", s.ToString());
      code = code == 0 ? 1 : code;
    }
  }
  return code;
}

int ServeHistory(const ServeFlags& flags, const sigset_t& signals) {
  DrDiskRequest request;
  request.server_dir = flags.replica_dir / flags.server;
  request.at = flags.at;
  request.state_dir = flags.state_dir;
  request.pin_name = flags.pin;
  Result<DrDiskSet> set = OpenDrDisks(request);
  if (!set.ok()) {
    spdlog::error("{}", set.status().ToString());
    return 1;
  }
  std::vector<Served> disks;
  for (DrDisk& d : set->disks) disks.push_back({d.name, d.device()});
  spdlog::info("point {} indexed in {:.1f} ms, pinned as {}", ResolvedPointToJson(set->point).dump(),
               set->index_ms, set->pin_name);
  const nlohmann::json ready = {{"point", ResolvedPointToJson(set->point)}, {"index_ms", set->index_ms}};
  int code = ServeUntilSignal(disks, flags, signals, ready);
  if (Status s = CloseDrDisks(&*set, PinAfterClose::kKeep); !s.ok()) {
    spdlog::error("closing the DR disks: {}", s.ToString());
    code = code == 0 ? 1 : code;
  }
  return code;
}

}  // namespace

int Serve(const ServeFlags& flags) {
  const sigset_t signals = BlockStopSignals();
  return flags.image_dir.empty() ? ServeHistory(flags, signals) : ServeImages(flags, signals);
}

}  // namespace cdr::recovery::cli
