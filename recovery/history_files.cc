#include "recovery/history_files.h"

#include <algorithm>

#include "common/json_file.h"

namespace cdr::recovery {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kHistorySuffix = ".history.json";

}  // namespace

fs::path HistoryPath(const fs::path& server_dir, const std::string& disk) {
  return shadow::HistoryPaths{server_dir, disk}.history();
}
fs::path BaseImagePath(const fs::path& server_dir, const std::string& disk) {
  return shadow::HistoryPaths{server_dir, disk}.base();
}
fs::path CdpLogDir(const fs::path& server_dir, const std::string& disk) {
  return shadow::HistoryPaths{server_dir, disk}.cdp_dir();
}
fs::path RecoveryPointsPath(const fs::path& server_dir) { return shadow::PointsPath(server_dir); }
fs::path HistoryLockPath(const fs::path& server_dir) { return shadow::HistoryLockPath(server_dir); }
fs::path PinPath(const fs::path& server_dir, const std::string& pin_name) {
  return shadow::PinsDir(server_dir) / (pin_name + ".json");
}

std::vector<std::string> DisksWithHistory(const fs::path& server_dir) {
  std::vector<std::string> disks;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(server_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > kHistorySuffix.size() && name.ends_with(kHistorySuffix)) {
      disks.push_back(name.substr(0, name.size() - kHistorySuffix.size()));
    }
  }
  std::sort(disks.begin(), disks.end());
  return disks;
}

Result<DiskHistory> ReadDiskHistory(const fs::path& path) {
  Result<std::optional<DiskHistory>> loaded = shadow::LoadDiskHistory(path);
  if (!loaded.ok()) return loaded.status();
  if (!*loaded) return NotFound(path.string() + " does not exist");
  for (const RepairEntry& r : (*loaded)->repairs) {
    if (r.finished() && r.finished_seq < r.after_seq) {
      return DataLoss(path.string() + ": the repair after seq " + std::to_string(r.after_seq) +
                      " finished at seq " + std::to_string(r.finished_seq) + ", before it started");
    }
  }
  return std::move(**loaded);
}

Result<std::vector<RecoveryPoint>> ReadRecoveryPoints(const fs::path& path) {
  return shadow::LoadRecoveryPoints(path);
}

Status ValidatePinName(const std::string& name) {
  const bool shape_ok =
      !name.empty() && name.size() <= 128 && name[0] != '.' &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      });
  if (!shape_ok) return InvalidArgument("pin name \"" + name + "\" may only use letters, digits, - _ .");
  return Status::Ok();
}

Status WritePin(const fs::path& server_dir, const std::string& pin_name, const DiskSeqs& seqs) {
  CDR_RETURN_IF_ERROR(ValidatePinName(pin_name));
  nlohmann::json doc = {{"seqs", nlohmann::json::object()}};
  for (const auto& [disk, seq] : seqs) doc["seqs"][disk] = seq;
  return WriteJsonFileAtomically(PinPath(server_dir, pin_name), doc);
}

Status RemovePin(const fs::path& server_dir, const std::string& pin_name) {
  std::error_code ec;
  fs::remove(PinPath(server_dir, pin_name), ec);
  if (ec) return Internal("remove pin " + PinPath(server_dir, pin_name).string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace cdr::recovery
