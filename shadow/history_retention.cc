#include "shadow/history_retention.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "journal/segment_files.h"
#include "shadow/history_image.h"
#include "shadow/history_lock.h"

namespace cdr::shadow {
namespace fs = std::filesystem;
namespace {

// Test hook: CDR_SHADOW_TEST_CRASH_IN_ROLL=1 kills the process after the records were applied to base.img and
// before history.json moves, the worst moment for a crash.
void MaybeCrashForTest() {
  const char* hook = std::getenv("CDR_SHADOW_TEST_CRASH_IN_ROLL");
  if (hook != nullptr && std::string(hook) == "1") ::raise(SIGKILL);
}

Status Roll(const HistoryPaths& paths, DiskHistory history, uint64_t target, uint64_t target_time_ns) {
  const uint64_t from = history.base_seq;
  if (history.rolling_to != target) {
    history.rolling_to = target;
    history.base_time_ns = std::max(history.base_time_ns, target_time_ns);
    CDR_RETURN_IF_ERROR(SaveDiskHistory(paths.history(), history));
  }
  int fd = ::open(paths.base().c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Internal("open " + paths.base().string() + ": " + std::strerror(errno));
  uint64_t last_time = 0;
  Status s = ReplayHistory(fd, paths, history, from, target, &last_time);
  if (s.ok()) MaybeCrashForTest();
  if (s.ok() && ::fdatasync(fd) != 0)
    s = Internal("fdatasync " + paths.base().string() + ": " + std::strerror(errno));
  ::close(fd);
  if (!s.ok()) return s;

  std::vector<RepairEntry> kept, covered;
  for (const RepairEntry& r : history.repairs) {
    (r.finished_seq != 0 && r.finished_seq <= target ? covered : kept).push_back(r);
  }
  history.repairs = kept;
  // The window starts at record `target` when the log has it; a base at a repair's end keeps the point's
  // time.
  const bool ends_on_a_record =
      target > from && std::none_of(covered.begin(), covered.end(),
                                    [&](const RepairEntry& r) { return r.finished_seq == target; });
  if (ends_on_a_record && last_time != 0) history.base_time_ns = last_time;
  history.base_seq = target;
  history.rolling_to = 0;
  CDR_RETURN_IF_ERROR(SaveDiskHistory(paths.history(), history));

  // A segment is covered when the next one starts at or below target + 1. The newest segment is never
  // deleted: the live connection appends to it.
  uint64_t freed_segments = 0;
  const std::vector<journal::SegmentFile> segments = journal::ListSegments(paths.cdp_dir());
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    if (segments[i + 1].first_seq > target + 1) break;
    std::error_code ec;
    if (fs::remove(segments[i].path, ec)) ++freed_segments;
  }
  for (const RepairEntry& r : covered) {
    std::error_code ec;
    fs::remove_all(paths.server_dir / r.dir, ec);
  }
  SyncDirectory(paths.cdp_dir());
  SyncDirectory(paths.server_dir);
  spdlog::info("history {}: base rolled forward {} → {}, {} log segments and {} repair deltas deleted",
               paths.disk, from, target, freed_segments, covered.size());
  return Status::Ok();
}

}  // namespace

Status RollBaseForward(const HistoryPaths& paths, uint64_t target, uint64_t target_time_ns) {
  Result<HistoryLock> lock = HistoryLock::Exclusive(paths.server_dir);
  if (!lock.ok()) return lock.status();
  Result<std::optional<DiskHistory>> history = LoadDiskHistory(paths.history());
  if (!history.ok()) return history.status();
  if (!*history) return Status::Ok();  // reset meanwhile
  if ((*history)->rolling_to != 0 && (*history)->rolling_to != target) {
    // Finish the interrupted roll first: base.img may already be past base_seq.
    CDR_RETURN_IF_ERROR(Roll(paths, **history, (*history)->rolling_to, (*history)->base_time_ns));
    history = LoadDiskHistory(paths.history());
    if (!history.ok()) return history.status();
  }
  if (target <= (*history)->base_seq) return Status::Ok();
  return Roll(paths, **history, target, target_time_ns);
}

Status FinishInterruptedRoll(const HistoryPaths& paths) {
  Result<HistoryLock> lock = HistoryLock::Exclusive(paths.server_dir);
  if (!lock.ok()) return lock.status();
  Result<std::optional<DiskHistory>> history = LoadDiskHistory(paths.history());
  if (!history.ok()) return history.status();
  if (!*history || (*history)->rolling_to == 0) return Status::Ok();
  spdlog::warn("history {}: finishing a roll-forward to {} interrupted by a crash", paths.disk,
               (*history)->rolling_to);
  return Roll(paths, **history, (*history)->rolling_to, (*history)->base_time_ns);
}

}  // namespace cdr::shadow
