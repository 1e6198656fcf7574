#include "agent/failover_changes.h"

#include <system_error>

#include "common/json_file.h"
#include "common/random_hex.h"

namespace cdr::agent {
namespace {

namespace fs = std::filesystem;

FailoverChangesScope WholeDisk(std::string why) {
  FailoverChangesScope scope;
  scope.why = std::move(why);
  return scope;
}

}  // namespace

fs::path FailoverChangesPath(const fs::path& image) {
  fs::path path = image;
  return path.replace_extension(".changes");
}

fs::path FailoverChangesMetaPath(const fs::path& image) {
  fs::path path = image;
  return path.replace_extension(".changes.json");
}

Status WriteFailoverChangesMeta(const fs::path& image, const FailoverChangesMeta& meta) {
  return WriteJsonFileAtomically(FailoverChangesMetaPath(image),
                                 {{"point_seq", meta.point_seq}, {"history_seq", meta.history_seq}});
}

FailoverChangesScope ReadFailoverChanges(const fs::path& image, uint64_t disk_size,
                                         std::optional<uint64_t> production_seq, const fs::path& claim_file) {
  std::error_code ec;
  if (!fs::exists(FailoverChangesMetaPath(image), ec) || !fs::exists(FailoverChangesPath(image), ec)) {
    return WholeDisk("no change map beside " + image.string() +
                     " (not a confirmed DR host's disk, or the map was dropped after a host crash)");
  }
  auto doc = ReadJsonFile(FailoverChangesMetaPath(image));
  if (!doc.ok()) return WholeDisk("the change map is unreadable: " + doc.status().message());
  FailoverChangesMeta meta;
  try {
    meta.point_seq = doc->at("point_seq").get<uint64_t>();
    meta.history_seq = doc->at("history_seq").get<uint64_t>();
  } catch (const nlohmann::json::exception& e) {
    return WholeDisk("the change map's " + FailoverChangesMetaPath(image).string() +
                     " is malformed: " + e.what());
  }
  if (!production_seq) {
    return WholeDisk("production's seq is unknown (its agent did not answer fenced with a complete journal)");
  }
  if (*production_seq != meta.history_seq) {
    return WholeDisk("production holds seq " + std::to_string(*production_seq) +
                     " but the change map covers the "
                     "history up to seq " +
                     std::to_string(meta.history_seq));
  }
  const std::string claim = doc->value("claimed_by", "");
  auto mine = ReadJsonFile(claim_file);
  if (!claim.empty() && (!mine.ok() || mine->value("claim", "") != claim)) {
    return WholeDisk(
        "the change map was claimed by another reverse agent, whose writes this agent's dirty bitmap "
        "does not hold");
  }
  if (claim.empty()) {
    const std::string id = RandomHex(16);
    // The agent's side first: a crash between the two leaves the map unclaimed, never claimed by nobody.
    Status claimed = WriteJsonFileAtomically(claim_file, {{"claim", id}});
    (*doc)["claimed_by"] = id;
    if (claimed.ok()) claimed = WriteJsonFileAtomically(FailoverChangesMetaPath(image), *doc);
    if (!claimed.ok()) return WholeDisk("the change map cannot be claimed: " + claimed.message());
  }
  auto bitmap = DirtyBitmap::Open(FailoverChangesPath(image), disk_size, kFailoverChangesBlock);
  if (!bitmap.ok()) return WholeDisk("the change map cannot be opened: " + bitmap.status().message());
  const BitmapRecovery recovery = (*bitmap)->recovery();
  if (recovery != BitmapRecovery::kClean && recovery != BitmapRecovery::kAgentCrash) {
    return WholeDisk(std::string("the change map is not exact (") + BitmapRecoveryName(recovery) + ")");
  }
  FailoverChangesScope scope;
  scope.usable = true;
  scope.ranges = (*bitmap)->DirtyRanges();
  for (const DirtyRange& r : scope.ranges) scope.bytes += r.length;
  scope.why = std::to_string(scope.bytes) + " bytes changed since the failover (history seqs " +
              std::to_string(meta.point_seq) + ".." + std::to_string(meta.history_seq) +
              " and the DR host's writes)";
  if (Status s = (*bitmap)->CloseClean(); !s.ok()) return WholeDisk("closing the change map: " + s.message());
  return scope;
}

}  // namespace cdr::agent
