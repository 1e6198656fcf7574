// Manual and group-consistent recovery points: a file REPLICA_DIR/<server>/point-requests/<name>.json,
// {"time_ns": T, "id": "..."}, asks cdr-shadow for a point of kind "manual" at T. The reconciler drops the
// same T (and id) on every server of a group for a group-consistent point. The request is served once every
// disk with a history is durable past T; the file is then removed, or rewritten with an "error" when T is
// outside the window (before a base, inside a repair) or the id is taken.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace cdr::shadow {

struct PointRequest {
  std::filesystem::path file;
  uint64_t time_ns = 0;
  std::string id;  // empty: derived from the time like a scheduled point's
};

// The pending requests (files without an "error"); unreadable ones get an "error" written into them.
std::vector<PointRequest> PendingPointRequests(const std::filesystem::path& server_dir);
void FailPointRequest(const PointRequest& request, const std::string& error);

// The greatest seq in (after_seq, up_to_seq] of the CDP log whose record time is <= time_ns, or after_seq
// when there is none. Reads the records (a manual point is rare; scheduled points are told from memory).
Result<uint64_t> LoggedSeqAt(const std::filesystem::path& cdp_dir, uint64_t after_seq, uint64_t up_to_seq,
                             uint64_t time_ns);

}  // namespace cdr::shadow
