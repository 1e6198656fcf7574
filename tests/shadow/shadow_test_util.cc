#include "tests/shadow/shadow_test_util.h"

#include <algorithm>

#include "journal/segment_files.h"
#include "journal/reader.h"
#include "shadow/replica_disk.h"
#include "shadow/replica_state.h"

namespace cdr::shadow::testing {
namespace fs = std::filesystem;

fs::path ShadowBinary() { return fs::read_symlink("/proc/self/exe").parent_path() / "cdr-shadow"; }

ShadowProcess::ShadowProcess(const fs::path& work_dir, const fs::path& replica_dir, int port,
                             const fs::path& tls_dir)
    : out_(work_dir / "shadow.out"),
      err_(work_dir / "shadow.err"),
      child_(tls_dir.empty() ? std::vector<std::string>{ShadowBinary().string(), "--listen",
                                                        "127.0.0.1:" + std::to_string(port), "--replica-dir",
                                                        replica_dir.string(), "--insecure"}
                             : std::vector<std::string>{ShadowBinary().string(), "--listen",
                                                        "127.0.0.1:" + std::to_string(port), "--replica-dir",
                                                        replica_dir.string(), "--tls-dir", tls_dir.string()},
             out_, err_) {
  const std::string prefix = "listening on 127.0.0.1:";
  PollUntil([&] {
    const std::string out = ReadFile(out_);
    const size_t at = out.find(prefix);
    if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
      port_ = std::stoi(out.substr(at + prefix.size()));
      return true;
    }
    return !child_.running();
  });
}

std::optional<ShadowState> ReadShadowState(const fs::path& replica_dir, const std::string& server_id,
                                           const std::string& disk) {
  Result<ReplicaState> s = LoadReplicaState(ReplicaDisk::StatePath(replica_dir, server_id, disk));
  if (!s.ok()) return std::nullopt;
  // The state file may lag in realtime: the CDP log's tail is what the shadow acknowledged and a reopen redoes
  // (shadow/replica_commit.cc).
  const fs::path cdp = ReplicaDisk::ImagePath(replica_dir, server_id, disk).parent_path() / (disk + ".cdp");
  const uint64_t applied = s->consistent() ? std::max(s->applied_seq, LastJournalSeq(cdp)) : s->applied_seq;
  return ShadowState{applied,        s->full_sync_cursor, s->full_sync_done,  s->epoch,
                     s->repair_in_progress, s->repair_cursor,    s->repair_base_seq};
}

uint64_t LastJournalSeq(const fs::path& journal_dir) {
  std::vector<journal::SegmentFile> segments = journal::ListSegments(journal_dir);
  if (segments.empty()) return 0;
  auto reader = journal::JournalReader::Open(journal_dir, segments.back().first_seq);
  if (!reader.ok()) return 0;
  uint64_t last = segments.back().first_seq - 1;
  journal::Record record;
  while (true) {
    Result<bool> got = (*reader)->Next(&record);
    if (!got.ok() || !*got) break;
    last = record.seq;
  }
  return last;
}

bool FilesEqual(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (fs::file_size(a, ec) != fs::file_size(b, ec) || ec) return false;
  return ReadFile(a) == ReadFile(b);
}

}  // namespace cdr::shadow::testing
