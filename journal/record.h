// One journal/CDP record as a writer hands it over and a reader returns it. The same record is the agent's
// journal, the shadow's CDP log and the DR disk's history (layout: docs/journal-format.md, journal/format.h).
#pragma once

#include <cstdint>
#include <span>

namespace cdr::journal {

enum class RecordKind : uint16_t {
  kWrite = 1,  // data follows: `length` bytes written at `offset`
  kZero = 2,   // the range reads as zeroes (NBD_CMD_WRITE_ZEROES), no data
  kTrim = 3,   // the range was discarded (NBD_CMD_TRIM), no data; a replica may zero or punch it
};

// Record flags, as the client sent them (a replica applies the same durability and allocation).
inline constexpr uint16_t kRecordFlagFua = 1 << 0;
inline constexpr uint16_t kRecordFlagNoHole = 1 << 1;

struct Record {
  RecordKind kind = RecordKind::kWrite;
  uint16_t flags = 0;
  uint64_t seq = 0;
  uint64_t time_ns = 0;  // CLOCK_REALTIME when the record was appended; non-decreasing in seq order
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t checksum = 0;          // XXH3-64 of data (0 without data)
  std::span<const uint8_t> data;  // kWrite only; valid until the reader's next call
};

}  // namespace cdr::journal
