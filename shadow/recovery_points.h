// recovery_points.json of a server directory (only cdr-shadow writes it, atomically):
//   {"version":1, "points":[{"id":"rp-20261125T010000Z", "time_ns":T, "kind":"scheduled"|"manual",
//                             "seqs":{"<disk>":S, ...}}]}
// sorted by time. A point maps each disk to the greatest seq whose record time is <= T.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace cdr::shadow {

struct RecoveryPoint {
  std::string id;
  uint64_t time_ns = 0;
  std::string kind;  // by name: RecoveryPointKindName (shadow/recovery_point_kind.h)
  std::map<std::string, uint64_t> seqs;
};

// An empty list when the file does not exist; kDataLoss naming the file for a damaged one.
Result<std::vector<RecoveryPoint>> LoadRecoveryPoints(const std::filesystem::path& path);
Status SaveRecoveryPoints(const std::filesystem::path& path, std::vector<RecoveryPoint> points);

// "rp-YYYYMMDDTHHMMSSZ" of T in UTC; "-2", "-3", ... when `points` already has that id, so servers on one
// schedule give the same instant the same id.
std::string PointIdFor(uint64_t time_ns, const std::vector<RecoveryPoint>& points);

}  // namespace cdr::shadow
