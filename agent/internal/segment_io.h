// Reading one record of a segment at a byte position, with every check the format allows; shared by the
// writer's recovery scan and JournalReader so both judge a tail the same way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/journal_record.h"

namespace cdr::agent::internal {

enum class ReadOutcome {
  kRecord,   // *record filled (data points into *buffer)
  kEnd,      // no byte at `pos`: the segment ends cleanly there
  kTorn,     // fewer bytes than the record needs: an append cut short
  kCorrupt,  // bad magic, header checksum, data checksum or seq
};

struct ReadResult {
  ReadOutcome outcome;
  std::string detail;  // why, for kTorn/kCorrupt
};

// Reads the record at `pos` of the segment open as `fd`, expecting seq `expected_seq`.
ReadResult ReadRecordAt(int fd, uint64_t pos, uint64_t expected_seq, std::vector<uint8_t>* buffer,
                        JournalRecord* record);

// Reads and checks the segment header; false if it is missing, short or wrong.
bool ReadSegmentHeader(int fd, uint64_t* first_seq);

}  // namespace cdr::agent::internal
