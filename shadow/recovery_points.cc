#include "shadow/recovery_points.h"

#include <algorithm>
#include <ctime>

#include "common/json_file.h"

namespace cdr::shadow {

Result<std::vector<RecoveryPoint>> LoadRecoveryPoints(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::vector<RecoveryPoint>();
  Result<nlohmann::json> read = ReadJsonFile(path);
  if (!read.ok()) return read.status();
  const nlohmann::json& j = *read;
  if (!j.is_object() || !j.contains("points") || !j["points"].is_array()) {
    return DataLoss(path.string() + ": points is not an array");
  }
  std::vector<RecoveryPoint> points;
  for (const nlohmann::json& p : j["points"]) {
    if (!p.is_object() || !p.value("id", nlohmann::json()).is_string() ||
        !p.value("time_ns", nlohmann::json()).is_number_unsigned() ||
        !p.value("kind", nlohmann::json()).is_string() || !p.value("seqs", nlohmann::json()).is_object()) {
      return DataLoss(path.string() + ": a point lacks id, time_ns, kind or seqs");
    }
    RecoveryPoint point{
        p["id"].get<std::string>(), p["time_ns"].get<uint64_t>(), p["kind"].get<std::string>(), {}};
    for (const auto& [disk, seq] : p["seqs"].items()) {
      if (!seq.is_number_unsigned())
        return DataLoss(path.string() + ": point " + point.id + ": seq of " + disk);
      point.seqs[disk] = seq.get<uint64_t>();
    }
    points.push_back(std::move(point));
  }
  return points;
}

Status SaveRecoveryPoints(const std::filesystem::path& path, std::vector<RecoveryPoint> points) {
  std::stable_sort(points.begin(), points.end(),
                   [](const RecoveryPoint& a, const RecoveryPoint& b) { return a.time_ns < b.time_ns; });
  nlohmann::json list = nlohmann::json::array();
  for (const RecoveryPoint& p : points) {
    list.push_back({{"id", p.id}, {"time_ns", p.time_ns}, {"kind", p.kind}, {"seqs", p.seqs}});
  }
  return WriteJsonFileAtomically(path, {{"version", 1}, {"points", list}});
}

std::string PointIdFor(uint64_t time_ns, const std::vector<RecoveryPoint>& points) {
  const std::time_t seconds = static_cast<std::time_t>(time_ns / 1000000000ull);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "rp-%Y%m%dT%H%M%SZ", &utc);
  const std::string base = text;
  auto taken = [&](const std::string& id) {
    return std::any_of(points.begin(), points.end(), [&](const RecoveryPoint& p) { return p.id == id; });
  };
  std::string id = base;
  for (int n = 2; taken(id); ++n) id = base + "-" + std::to_string(n);
  return id;
}

}  // namespace cdr::shadow
