#include "recovery/dr_disks.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "common/digest.h"
#include "common/json_file.h"
#include "recovery/extent_index.h"

namespace cdr::recovery {
namespace fs = std::filesystem;

fs::path PointFilePath(const fs::path& state_dir) { return state_dir / "point.json"; }

std::string DefaultPinName(const fs::path& state_dir) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(state_dir, ec);
  return "dr-" + Sha256Hex((ec ? state_dir : absolute).lexically_normal().string()).substr(0, 16);
}

namespace {

// The point remembered in the state directory, or nullopt the first time.
Result<std::optional<ResolvedPoint>> LoadSavedPoint(const fs::path& state_dir) {
  if (state_dir.empty()) return std::optional<ResolvedPoint>();
  const fs::path path = PointFilePath(state_dir);
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<ResolvedPoint>();
  Result<nlohmann::json> doc = ReadJsonFile(path);
  if (!doc.ok()) return doc.status();
  Result<ResolvedPoint> point = ResolvedPointFromJson(*doc, path.string());
  if (!point.ok()) return point.status();
  return std::optional<ResolvedPoint>(std::move(*point));
}

}  // namespace

Result<DrDiskSet> OpenDrDisks(const DrDiskRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  DrDiskSet set;
  if (!request.state_dir.empty()) {
    std::error_code ec;
    fs::create_directories(request.state_dir, ec);
    if (ec) return Internal("create state directory " + request.state_dir.string() + ": " + ec.message());
  }
  Result<std::unique_ptr<HistoryReader>> history = HistoryReader::Open(request.server_dir);
  if (!history.ok()) return history.status();
  set.history = std::move(*history);

  Result<std::optional<ResolvedPoint>> saved = LoadSavedPoint(request.state_dir);
  if (!saved.ok()) return saved.status();
  if (saved->has_value()) {
    set.point = **saved;
    if (Status s = set.history->Check(set.point); !s.ok()) {
      return Status(s.code(), PointFilePath(request.state_dir).string() + ": " + s.message());
    }
    spdlog::info("reusing the point saved in {}", PointFilePath(request.state_dir).string());
  } else {
    Result<ResolvedPoint> resolved = set.history->Resolve(request.at);
    if (!resolved.ok()) return resolved.status();
    set.point = std::move(*resolved);
  }
  if (!request.only_disk.empty()) {
    if (!set.point.seqs.contains(request.only_disk) || set.history->disk(request.only_disk) == nullptr) {
      std::string known;
      for (const std::string& d : set.history->disks()) known += (known.empty() ? "" : ", ") + d;
      return NotFound("disk \"" + request.only_disk + "\" has no recovery history (disks: " + known + ")");
    }
    set.point.seqs = {{request.only_disk, set.point.seqs.at(request.only_disk)}};
  }

  set.pin_name = request.pin_name.empty() ? DefaultPinName(request.state_dir) : request.pin_name;
  CDR_RETURN_IF_ERROR(set.history->Pin(set.pin_name, set.point));
  if (!request.state_dir.empty() && !saved->has_value()) {
    CDR_RETURN_IF_ERROR(
        WriteJsonFileAtomically(PointFilePath(request.state_dir), ResolvedPointToJson(set.point)));
  }

  for (const auto& [name, seq] : set.point.seqs) {
    std::shared_ptr<const DiskLog> log = set.history->disk(name);
    if (log == nullptr) continue;  // a disk of the point whose history was reset since: nothing to serve
    DrDisk disk;
    disk.name = name;
    auto device = std::make_unique<PointInTimeDevice>(log, BuildExtentIndex(*log, seq));
    disk.point_in_time = device.get();
    if (request.state_dir.empty()) {
      disk.read_only = std::move(device);
    } else {
      Result<std::unique_ptr<WritesOverlay>> overlay =
          WritesOverlay::Open(request.state_dir / (name + ".writes"), std::move(device));
      if (!overlay.ok()) return overlay.status();
      disk.overlay = std::move(*overlay);
    }
    set.disks.push_back(std::move(disk));
  }
  set.index_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return set;
}

Status CloseDrDisks(DrDiskSet* set, PinAfterClose pin) {
  Status first;
  for (DrDisk& disk : set->disks) {
    if (!disk.overlay) continue;
    if (Status s = disk.overlay->Close(); !s.ok() && first.ok()) first = s;
  }
  if (set->history && pin == PinAfterClose::kRelease) {
    if (Status s = RemovePin(set->history->server_dir(), set->pin_name); !s.ok() && first.ok()) first = s;
  }
  return first;
}

}  // namespace cdr::recovery
