#include "recovery/history_files.h"

#include <algorithm>

#include "common/json_file.h"

namespace cdr::recovery {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kHistorySuffix = ".history.json";

// Reads an unsigned field, naming file and field when it is missing or of the wrong type.
Status GetU64(const nlohmann::json& object, const std::string& key, const std::string& where, uint64_t* out) {
  auto it = object.find(key);
  if (it == object.end()) return DataLoss(where + ": missing field \"" + key + "\"");
  if (!it->is_number_unsigned())
    return DataLoss(where + ": field \"" + key + "\" must be an unsigned integer");
  *out = it->get<uint64_t>();
  return Status::Ok();
}

Status GetString(const nlohmann::json& object, const std::string& key, const std::string& where,
                 std::string* out) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) {
    return DataLoss(where + ": field \"" + key + "\" must be a string");
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

Status CheckVersion(const nlohmann::json& doc, const std::string& where) {
  if (!doc.is_object()) return DataLoss(where + ": not a JSON object");
  uint64_t version = 0;
  CDR_RETURN_IF_ERROR(GetU64(doc, "version", where, &version));
  if (version != 1) return DataLoss(where + ": unsupported \"version\" " + std::to_string(version));
  return Status::Ok();
}

Status ParseSeqs(const nlohmann::json& doc, const std::string& where, DiskSeqs* seqs) {
  auto it = doc.find("seqs");
  if (it == doc.end() || !it->is_object()) return DataLoss(where + ": field \"seqs\" must be an object");
  for (const auto& [disk, seq] : it->items()) {
    if (!seq.is_number_unsigned()) return DataLoss(where + ": seqs." + disk + " must be an unsigned integer");
    (*seqs)[disk] = seq.get<uint64_t>();
  }
  return Status::Ok();
}

}  // namespace

fs::path HistoryPath(const fs::path& server_dir, const std::string& disk) {
  return server_dir / (disk + std::string(kHistorySuffix));
}
fs::path BaseImagePath(const fs::path& server_dir, const std::string& disk) {
  return server_dir / (disk + ".base.img");
}
fs::path CdpLogDir(const fs::path& server_dir, const std::string& disk) {
  return server_dir / (disk + ".cdp");
}
fs::path RecoveryPointsPath(const fs::path& server_dir) { return server_dir / "recovery_points.json"; }
fs::path HistoryLockPath(const fs::path& server_dir) { return server_dir / "history.lock"; }
fs::path PinPath(const fs::path& server_dir, const std::string& pin_name) {
  return server_dir / "pins" / (pin_name + ".json");
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
  Result<nlohmann::json> doc = ReadJsonFile(path);
  if (!doc.ok()) return doc.status();
  const std::string where = path.string();
  CDR_RETURN_IF_ERROR(CheckVersion(*doc, where));
  DiskHistory h;
  CDR_RETURN_IF_ERROR(GetU64(*doc, "disk_size", where, &h.disk_size));
  CDR_RETURN_IF_ERROR(GetU64(*doc, "base_seq", where, &h.base_seq));
  CDR_RETURN_IF_ERROR(GetU64(*doc, "base_time_ns", where, &h.base_time_ns));
  if (auto it = doc->find("repairs"); it != doc->end()) {
    if (!it->is_array()) return DataLoss(where + ": field \"repairs\" must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string item = where + ": repairs[" + std::to_string(i) + "]";
      RepairEntry r;
      CDR_RETURN_IF_ERROR(GetU64((*it)[i], "after_seq", item, &r.after_seq));
      CDR_RETURN_IF_ERROR(GetU64((*it)[i], "finished_seq", item, &r.finished_seq));
      CDR_RETURN_IF_ERROR(GetString((*it)[i], "dir", item, &r.dir));
      if (r.finished() && r.finished_seq < r.after_seq) {
        return DataLoss(item + ": finished_seq " + std::to_string(r.finished_seq) + " is before after_seq " +
                        std::to_string(r.after_seq));
      }
      h.repairs.push_back(std::move(r));
    }
  }
  std::sort(h.repairs.begin(), h.repairs.end(),
            [](const RepairEntry& a, const RepairEntry& b) { return a.after_seq < b.after_seq; });
  return h;
}

Result<std::vector<RecoveryPoint>> ReadRecoveryPoints(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::vector<RecoveryPoint>{};
  Result<nlohmann::json> doc = ReadJsonFile(path);
  if (!doc.ok()) return doc.status();
  const std::string where = path.string();
  CDR_RETURN_IF_ERROR(CheckVersion(*doc, where));
  auto it = doc->find("points");
  if (it == doc->end() || !it->is_array()) return DataLoss(where + ": field \"points\" must be an array");
  std::vector<RecoveryPoint> points;
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string item = where + ": points[" + std::to_string(i) + "]";
    RecoveryPoint p;
    CDR_RETURN_IF_ERROR(GetString((*it)[i], "id", item, &p.id));
    CDR_RETURN_IF_ERROR(GetU64((*it)[i], "time_ns", item, &p.time_ns));
    CDR_RETURN_IF_ERROR(GetString((*it)[i], "kind", item, &p.kind));
    CDR_RETURN_IF_ERROR(ParseSeqs((*it)[i], item, &p.seqs));
    points.push_back(std::move(p));
  }
  std::stable_sort(points.begin(), points.end(),
                   [](const RecoveryPoint& a, const RecoveryPoint& b) { return a.time_ns < b.time_ns; });
  return points;
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
