#include "recovery/dr_host_metrics.h"

#include "common/json_file.h"
#include "common/prometheus_text.h"

namespace cdr::recovery {
namespace {

// The result of the verification file, "none" when there is none; a damaged file is "unknown", not a pass.
std::string VerificationResult(const std::filesystem::path& file, double* time_seconds) {
  std::error_code ec;
  if (file.empty() || !std::filesystem::exists(file, ec)) return "none";
  auto json = ReadJsonFile(file);
  if (!json.ok() || !json->is_object()) return "unknown";
  *time_seconds = json->value("time_ns", int64_t{0}) / 1e9;
  const std::string result = json->value("result", "unknown");
  return result == "passed" || result == "failed" ? result : "unknown";
}

}  // namespace

std::string RenderDrHostMetrics(const DrHostMetricsInfo& info, uint64_t now_ns) {
  const PrometheusLabels labels = {
      {"group", info.group}, {"server", info.server_name}, {"dr_host", info.dr_host}, {"purpose", info.purpose}};
  PrometheusText out;
  out.Family("cdr_dr_host_up", "gauge", "1 while the DR host's disks are served.");
  out.Sample("cdr_dr_host_up", labels, 1);
  out.Family("cdr_dr_host_standalone", "gauge", "1 when the disks no longer depend on the shadow host.");
  out.Sample("cdr_dr_host_standalone", labels, info.standalone ? 1 : 0);
  out.Family("cdr_dr_host_disks", "gauge", "Disks the DR host serves.");
  out.Sample("cdr_dr_host_disks", labels, info.disks);
  out.Family("cdr_dr_host_point_age_seconds", "gauge", "Age of the instant the DR host's disks show.");
  if (!info.standalone && info.point_time_ns > 0) {
    out.Sample("cdr_dr_host_point_age_seconds", labels,
               now_ns > info.point_time_ns ? (now_ns - info.point_time_ns) / 1e9 : 0.0);
  }
  double verified_at = 0;
  const std::string result = VerificationResult(info.verification_file, &verified_at);
  out.Family("cdr_dr_host_verification", "gauge", "1 for the result of the DR host's last verification.");
  for (const char* r : {"none", "passed", "failed", "unknown"}) {
    PrometheusLabels with_result = labels;
    with_result.push_back({"result", r});
    out.Sample("cdr_dr_host_verification", with_result, result == r ? 1 : 0);
  }
  out.Family("cdr_dr_host_verification_timestamp_seconds", "gauge", "When the last verification finished.");
  if (verified_at > 0) out.Sample("cdr_dr_host_verification_timestamp_seconds", labels, verified_at);
  return out.text();
}

}  // namespace cdr::recovery
