#include "shadow/history_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "common/json_file.h"

namespace cdr::shadow {
namespace fs = std::filesystem;

fs::path PointsPath(const fs::path& server_dir) { return server_dir / "recovery_points.json"; }
fs::path PolicyPath(const fs::path& server_dir) { return server_dir / "policy.json"; }
fs::path PinsDir(const fs::path& server_dir) { return server_dir / "pins"; }
fs::path PointRequestsDir(const fs::path& server_dir) { return server_dir / "point-requests"; }
fs::path HistoryLockPath(const fs::path& server_dir) { return server_dir / "history.lock"; }

Result<std::optional<DiskHistory>> LoadDiskHistory(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<DiskHistory>();
  Result<nlohmann::json> read = ReadJsonFile(path);
  if (!read.ok()) return read.status();
  const nlohmann::json& j = *read;
  auto number = [&](const char* key, uint64_t* out, bool required) -> Status {
    if (!j.is_object() || !j.contains(key)) {
      if (!required) return Status::Ok();
      return DataLoss(path.string() + ": missing " + key);
    }
    if (!j[key].is_number_unsigned())
      return DataLoss(path.string() + ": " + key + " is not an unsigned number");
    *out = j[key].get<uint64_t>();
    return Status::Ok();
  };
  uint64_t version = 0;
  CDR_RETURN_IF_ERROR(number("version", &version, true));
  if (version != 1) return DataLoss(path.string() + ": version " + std::to_string(version) + " is not 1");
  DiskHistory h;
  CDR_RETURN_IF_ERROR(number("disk_size", &h.disk_size, true));
  CDR_RETURN_IF_ERROR(number("base_seq", &h.base_seq, true));
  CDR_RETURN_IF_ERROR(number("base_time_ns", &h.base_time_ns, true));
  CDR_RETURN_IF_ERROR(number("rolling_to", &h.rolling_to, false));
  if (!j.contains("repairs") || !j["repairs"].is_array())
    return DataLoss(path.string() + ": repairs is not an array");
  for (const nlohmann::json& r : j["repairs"]) {
    if (!r.is_object() || !r.value("after_seq", nlohmann::json()).is_number_unsigned() ||
        !r.value("finished_seq", nlohmann::json()).is_number_unsigned() ||
        !r.value("dir", nlohmann::json()).is_string()) {
      return DataLoss(path.string() + ": a repairs entry lacks after_seq, finished_seq or dir");
    }
    h.repairs.push_back(
        {r["after_seq"].get<uint64_t>(), r["finished_seq"].get<uint64_t>(), r["dir"].get<std::string>()});
  }
  std::sort(h.repairs.begin(), h.repairs.end(),
            [](const RepairEntry& a, const RepairEntry& b) { return a.after_seq < b.after_seq; });
  return std::optional<DiskHistory>(std::move(h));
}

Status SaveDiskHistory(const fs::path& path, const DiskHistory& h) {
  nlohmann::json repairs = nlohmann::json::array();
  for (const RepairEntry& r : h.repairs) {
    repairs.push_back({{"after_seq", r.after_seq}, {"finished_seq", r.finished_seq}, {"dir", r.dir}});
  }
  nlohmann::json j = {{"version", 1},
                      {"disk_size", h.disk_size},
                      {"base_seq", h.base_seq},
                      {"base_time_ns", h.base_time_ns},
                      {"repairs", repairs}};
  if (h.rolling_to != 0) j["rolling_to"] = h.rolling_to;
  return WriteJsonFileAtomically(path, j);
}

void SyncDirectory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace cdr::shadow
