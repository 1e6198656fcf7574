// Where the realtime sender takes the records it streams: from the journal's memory tail while it holds them
// (the records just appended: no file read, no checksum computed again), else from the journal files through
// one JournalReader kept for as long as the sender stays behind the tail (after a reconnect far behind, or a
// burst larger than the tail). Records come in seq order without gaps, whichever the source.
//
//   Next ─► memory batch left? ── yes ──► its next record
//               │ no
//               ├─ Journal::ReadTail(next) ── records ──► refill the batch, its first record
//               └─ older than the tail ──► JournalReader at `next` (opened again only after the memory served)
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "agent/journal.h"
#include "common/status.h"
#include "journal/reader.h"

namespace cdr::agent::internal {

class JournalFollower {
 public:
  JournalFollower(Journal* journal, uint64_t next_seq) : journal_(journal), next_(next_seq) {}

  // The record at the next seq if it is <= up_to_seq (its data valid until the next call); false when there is
  // none yet. kFailedPrecondition when the seq was released from the journal, kDataLoss for a damaged record.
  Result<bool> Next(uint64_t up_to_seq, journal::Record* record);

  uint64_t next_seq() const { return next_; }
  uint64_t from_memory() const { return from_memory_; }
  uint64_t from_file() const { return from_file_; }

 private:
  Journal* const journal_;
  uint64_t next_;
  std::vector<std::shared_ptr<const TailRecord>> batch_;
  size_t batch_pos_ = 0;
  std::shared_ptr<const TailRecord> current_;  // keeps the returned record's data alive
  std::unique_ptr<journal::JournalReader> reader_;
  uint64_t reader_next_ = 0;  // the seq reader_ returns next
  uint64_t from_memory_ = 0;
  uint64_t from_file_ = 0;
};

}  // namespace cdr::agent::internal
