#include "console/console_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "common/clock.h"
#include "common/prometheus_text.h"
#include "console/console_page.h"
#include "console/estate_metrics.h"

namespace cdr::console {
namespace {

using agent::api::ApiResponse;
using agent::api::HttpRequest;
using nlohmann::json;

ApiResponse Json(const json& body, int status = 200) { return {status, "application/json", body.dump(), {}}; }
ApiResponse Error(int status, const std::string& message) { return Json({{"error", message}}, status); }

json JobsJson(const std::vector<state::Job>& jobs) {
  json out = json::array();
  for (const auto& j : jobs) {
    out.push_back({{"id", j.id},
                   {"address", j.address},
                   {"operation", j.operation},
                   {"status", state::JobStatusName(j.status)},
                   {"progress", j.progress},
                   {"started_at_ms", j.started_at},
                   {"finished_at_ms", j.finished_at},
                   {"error", j.error}});
  }
  return out;
}

const std::string* Param(const HttpRequest& request, const std::string& name) {
  auto it = request.query.find(name);
  return it == request.query.end() || it->second.empty() ? nullptr : &it->second;
}

}  // namespace

ConsoleServer::ConsoleServer(ConsoleOptions options, ObserveFn observe, state::StateStore* samples)
    : options_(std::move(options)), observe_(std::move(observe)), samples_(samples) {}

ConsoleServer::~ConsoleServer() { Stop(); }

Status ConsoleServer::Start() {
  agent::api::HttpEndpointOptions http;
  http.name = "console";
  if (options_.token.empty()) return InvalidArgument("the console needs a token");
  http.token = options_.token;
  http.browser_login = true;
  CDR_RETURN_IF_ERROR(agent::api::ParseListenAddress(options_.listen, &http));
  // The page is useful from its first load: it never shows an estate nobody has looked at yet.
  Observe();
  endpoint_ = std::make_unique<agent::api::HttpEndpoint>(http, [this](const HttpRequest& r) { return Handle(r); });
  if (Status s = endpoint_->Start(); !s.ok()) {
    endpoint_.reset();
    return s;
  }
  loop_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void ConsoleServer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (loop_.joinable()) loop_.join();
  if (endpoint_) endpoint_->Stop();
}

std::string ConsoleServer::address() const { return endpoint_ ? endpoint_->address() : ""; }

void ConsoleServer::Loop() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, std::chrono::seconds(options_.interval_seconds), [this] { return stopping_; })) {
    lock.unlock();
    Observe();
    lock.lock();
  }
}

void ConsoleServer::Observe() {
  const auto started = std::chrono::steady_clock::now();
  auto snapshot = std::make_shared<EstateSnapshot>(observe_());
  snapshot->refresh_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  snapshot->observed_at_ms = NowUnixMillis();
  std::vector<state::RpoSample> samples;
  for (const auto& g : snapshot->groups) {
    for (const auto& s : g.servers) {
      samples.push_back({s.address, snapshot->observed_at_ms, s.rpo_seconds, s.live, reconcile::HealthName(s.health)});
    }
  }
  const int64_t keep_after = snapshot->observed_at_ms - int64_t{options_.retention_hours} * 3600 * 1000;
  {
    std::lock_guard lock(samples_mu_);
    if (Status s = samples_->AddRpoSamples(samples, keep_after); !s.ok()) {
      spdlog::warn("console: RPO samples not kept: {}", s.ToString());
    }
  }
  spdlog::info("console: observed {} server(s) in {:.2f} s{}", samples.size(), snapshot->refresh_seconds,
               snapshot->live ? "" : " (not live: " + snapshot->not_live_reason + ")");
  std::lock_guard lock(mu_);
  latest_ = std::move(snapshot);
}

std::shared_ptr<const EstateSnapshot> ConsoleServer::Latest() const {
  std::lock_guard lock(mu_);
  return latest_;
}

ApiResponse ConsoleServer::Handle(const HttpRequest& request) {
  const std::shared_ptr<const EstateSnapshot> snapshot = Latest();
  if (request.path == "/") return {200, "text/html; charset=utf-8", std::string(ConsolePageHtml()), {}};
  if (request.path == "/metrics") {
    return {200, std::string(kPrometheusTextContentType), RenderEstateMetrics(*snapshot), {}};
  }
  if (request.path == "/api/status") {
    json out = reconcile::StatusToJson(snapshot->groups);
    out["live"] = snapshot->live;
    if (!snapshot->live) out["not_live_reason"] = snapshot->not_live_reason;
    out["observed_at_ms"] = snapshot->observed_at_ms;
    out["refresh_seconds"] = snapshot->refresh_seconds;
    out["interval_seconds"] = options_.interval_seconds;
    return Json(out);
  }
  if (request.path == "/api/jobs") return Json({{"jobs", JobsJson(snapshot->jobs)}});
  if (request.path == "/api/rpo") return Rpo(request);
  if (request.path == "/api/recovery-points") {
    const std::string* server = Param(request, "server");
    if (!server) return Error(400, "server=ADDRESS is needed");
    auto it = snapshot->recovery_points.find(*server);
    if (it == snapshot->recovery_points.end()) return Error(404, *server + " has no shadow host in the state");
    json out = it->second;
    out["server"] = *server;
    return Json(out);
  }
  return Error(404, "not found: " + request.path);
}

ApiResponse ConsoleServer::Rpo(const HttpRequest& request) {
  const std::string* server = Param(request, "server");
  if (!server) return Error(400, "server=ADDRESS is needed");
  int hours = options_.retention_hours;
  if (const std::string* h = Param(request, "hours")) {
    try {
      hours = std::clamp(std::stoi(*h), 1, options_.retention_hours);
    } catch (const std::exception&) {
      return Error(400, "hours wants a number");
    }
  }
  std::vector<state::RpoSample> samples;
  {
    std::lock_guard lock(samples_mu_);
    samples = samples_->RpoSamples(*server, NowUnixMillis() - int64_t{hours} * 3600 * 1000);
  }
  json out = json::array();
  for (const auto& s : samples) {
    out.push_back({{"t", s.time}, {"rpo", s.rpo_seconds}, {"live", s.live}, {"health", s.health}});
  }
  return Json({{"server", *server}, {"hours", hours}, {"samples", std::move(out)}});
}

}  // namespace cdr::console
