// The local write journal: every acknowledged write, zero and trim of one export, in seq order, in segment
// files of bounded size inside one directory (format: docs/journal-format.md). The replication sender reads it
// with journal::JournalReader and calls ReleaseUpTo(seq) once the shadow has acknowledged seq.
//
// Bounded: when appending would push the total past max_bytes the journal turns `full` and refuses every later
// record, even after a release, because a journal with a hole must not be streamed: the dirty bitmap covers
// the hole, and Reset() (after a repair) starts a fresh journal at the next seq.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <vector>

#include "agent/group_commit.h"
#include "journal/record.h"
#include "common/status.h"

namespace cdr::agent {

struct JournalOptions {
  uint64_t segment_bytes = 64ull << 20;  // a record larger than this gets a segment of its own
  uint64_t max_bytes = 1ull << 30;       // all segments together, headers included
  uint64_t tail_bytes = 16ull << 20;     // record data kept in memory for the sender (ReadTail)
};

// A record as appended, kept in memory: `record.data` points into `data`.
struct TailRecord {
  journal::Record record;
  std::vector<uint8_t> data;
};

class Journal {
 public:
  // Opens or creates the journal in `dir`. A torn or corrupt tail of the last segment (a crash in the middle
  // of an append) is cut off; dropped_tail_bytes() says how much.
  static Result<std::unique_ptr<Journal>> Open(const std::filesystem::path& dir, JournalOptions options);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends one record and returns its seq. `data` is the payload of kWrite (length == data.size()) and empty
  // otherwise. Returns kUnavailable "journal full" once the bound is hit, kInternal on I/O errors (after which
  // the journal is `broken` until Reset()). The record is in the page cache on return: it survives a crash of
  // the agent, and Sync() makes it survive a crash of the host.
  Result<uint64_t> Append(journal::RecordKind kind, uint16_t flags, uint64_t offset, uint64_t length,
                          std::span<const uint8_t> data);
  Status Sync();
  // `listener` runs after every Append with its result (the seq recorded, or why it was refused: full and
  // broken matter to a follower too), outside the journal's lock, on the appending thread. It lets the
  // replication sender wait on its own condition and wake on the appends it wants (the first of a batch, or
  // one that fills it) instead of polling. RemoveAppendListener returns once no call of it runs.
  using AppendListener = std::function<void(const Result<uint64_t>& appended)>;
  uint64_t AddAppendListener(AppendListener listener);
  void RemoveAppendListener(uint64_t id);
  // The newest records, from `from_seq` on (at most `max_records`, none past `up_to_seq`), as the memory tail
  // holds them: the realtime sender streams a record it was woken for without reading the file back. false
  // when from_seq is older than the tail (read the file); true with nothing added when it is newer.
  bool ReadTail(uint64_t from_seq, uint64_t up_to_seq, size_t max_records,
                std::vector<std::shared_ptr<const TailRecord>>* out) const;
  // Deletes every closed segment whose records all have seq <= `seq`. The active segment is never deleted,
  // so the next seq survives a restart even when everything was released.
  Status ReleaseUpTo(uint64_t seq);
  // Drops every record and restarts at the next seq, clearing `full` and `broken` (after a repair). The next
  // seq is at least `min_next_seq`: a repair of a replica that applied seqs this journal never reached
  // continues past them, so no later record reuses a seq the replica (and its recovery history) already holds.
  Status Reset(uint64_t min_next_seq = 0);

  // A new bound for later appends (the control API's journal cap). A bound below what is retained turns the
  // journal full at the next append; raising it does not clear `full` (the hole stays until Reset()).
  void set_max_bytes(uint64_t max_bytes);
  uint64_t max_bytes() const;

  const std::filesystem::path& dir() const { return dir_; }
  uint64_t first_seq() const;  // oldest retained record (== next_seq() when empty)
  uint64_t next_seq() const;
  uint64_t total_bytes() const;
  bool full() const;
  bool broken() const;
  uint64_t dropped_tail_bytes() const { return dropped_tail_bytes_; }

 private:
  struct Segment {
    uint64_t first_seq;
    std::filesystem::path path;
    uint64_t bytes;
  };
  struct ActiveFile;  // the open fd of the segment being appended to, shared with Sync() callers

  Journal(std::filesystem::path dir, JournalOptions options) : dir_(std::move(dir)), options_(options) {}
  Status Recover();
  Status CreateSegmentLocked(uint64_t first_seq);
  Result<uint64_t> AppendLocked(const journal::Record& record, std::span<const uint8_t> data,
                                std::shared_ptr<TailRecord> tail);
  void NotifyListeners(const Result<uint64_t>& appended);

  const std::filesystem::path dir_;
  JournalOptions options_;  // max_bytes guarded by mutex_
  mutable std::mutex mutex_;
  std::deque<Segment> closed_;
  Segment active_{};
  std::shared_ptr<ActiveFile> active_file_;
  uint64_t next_seq_ = 1;
  uint64_t total_bytes_ = 0;
  bool full_ = false;
  bool broken_ = false;
  uint64_t dropped_tail_bytes_ = 0;
  // The newest records in seq order, without gaps, at most options_.tail_bytes of data (and one record).
  std::deque<std::shared_ptr<const TailRecord>> tail_;
  uint64_t tail_data_bytes_ = 0;
  GroupCommit sync_;  // concurrent FLUSH/FUA requests share fdatasyncs
  // Held shared while listeners run, exclusively to change them; taken after mutex_ is released.
  std::shared_mutex listeners_mutex_;
  std::map<uint64_t, AppendListener> listeners_;
  uint64_t next_listener_id_ = 1;
};

}  // namespace cdr::agent
