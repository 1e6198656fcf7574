// One record at a byte position of an open segment: read with every check the format allows (header, seq,
// data checksum), or appended with one pwritev. JournalReader and the segment scan judge records the same way.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "journal/record.h"

namespace cdr::journal {

enum class ReadOutcome {
  kRecord,   // *record filled (data points into *buffer)
  kEnd,      // no byte at `pos`: the segment ends cleanly there
  kTorn,     // fewer bytes than the record needs: an append cut short (or still under way)
  kCorrupt,  // bad magic, header checksum, kind, seq or data checksum, or a read error
};

struct ReadResult {
  ReadOutcome outcome;
  std::string detail;  // why, for kTorn/kCorrupt
};

// Reads the record at `pos` of the segment open as `fd`, expecting seq `expected_seq`.
ReadResult ReadRecordAt(int fd, uint64_t pos, uint64_t expected_seq, std::vector<uint8_t>* buffer, Record* record);

// Reads and checks the segment header; false if it is missing, short or wrong.
bool ReadSegmentHeader(int fd, uint64_t* first_seq);

// Writes `record` (its header, then `data` for kWrite) at `pos`; record.checksum must be DataChecksum(data).
// False with errno set if the write failed or was short; the caller cuts the partial record.
bool AppendRecord(int fd, uint64_t pos, const Record& record, std::span<const uint8_t> data);
// The same for consecutive records (each with its data in record.data), one pwritev for up to
// kAppendBatchRecords of them: cdr-shadow's CDP log writes the records it gathered together.
inline constexpr size_t kAppendBatchRecords = 256;
bool AppendRecords(int fd, uint64_t pos, std::span<const Record> records);

}  // namespace cdr::journal
