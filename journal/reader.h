// Reads journal records in seq order from a given seq onward: the agent's replication sender and its dirty
// bitmap rebuild after an unclean stop, and cdr-shadow replaying its CDP log. Every record is checked (header checksum, data checksum, seq
// continuity) before it is returned; a torn or corrupt record is reported as kDataLoss and never returned.
//
// It may follow a live journal: at the end of the newest segment Next() returns false ("nothing more yet") and
// a later call picks up new records. A record being appended concurrently can look torn, so a live reader
// passes up_to_seq = the writer's next seq - 1 taken before the read, and raises it with set_up_to_seq() as
// the writer appends: one reader (one open segment, one position) follows the journal for a whole session.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <vector>

#include "common/status.h"
#include "journal/record.h"
#include "journal/segment_files.h"

namespace cdr::journal {

class JournalReader {
 public:
  // kFailedPrecondition if from_seq was already released (the sender must fall back to the bitmap).
  static Result<std::unique_ptr<JournalReader>> Open(
      const std::filesystem::path& dir, uint64_t from_seq,
      uint64_t up_to_seq = std::numeric_limits<uint64_t>::max());
  ~JournalReader();
  JournalReader(const JournalReader&) = delete;
  JournalReader& operator=(const JournalReader&) = delete;

  // true: *record holds the next record (its data is valid until the next call). false: no more records
  // (end of the journal or up_to_seq reached). kDataLoss: "torn tail …" or "corrupt record …", naming the
  // segment file and byte offset; the reader stays at that record.
  Result<bool> Next(Record* record);
  void set_up_to_seq(uint64_t up_to_seq) { up_to_seq_ = up_to_seq; }

 private:
  JournalReader(std::filesystem::path dir, uint64_t from_seq, uint64_t up_to_seq)
      : dir_(std::move(dir)), from_seq_(from_seq), up_to_seq_(up_to_seq) {}
  Status OpenSegment(const SegmentFile& segment);
  // Moves to the segment starting at expected_seq_ if one exists now; false if there is none yet.
  Result<bool> AdvanceSegment();

  const std::filesystem::path dir_;
  const uint64_t from_seq_;
  uint64_t up_to_seq_;
  int fd_ = -1;
  std::filesystem::path segment_path_;
  uint64_t segment_first_seq_ = 0;
  uint64_t pos_ = 0;
  uint64_t expected_seq_ = 0;
  std::vector<uint8_t> buffer_;
};

}  // namespace cdr::journal
