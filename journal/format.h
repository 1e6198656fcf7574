// Byte layout of journal segments (little-endian; docs/journal-format.md): the segment header, the record
// header and their checksums. Every writer (agent journal, shadow CDP log) and every reader (JournalReader,
// the segment scan) encodes and decodes through here, so the three programs cannot drift apart.
//
// Versioning: a segment header carries the format version. Version 1 is the only one written and read; a
// reader that meets another version reports the segment as damaged rather than guessing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "journal/record.h"

namespace cdr::journal {

inline constexpr char kSegmentMagic[8] = {'C', 'D', 'R', 'J', 'R', 'N', 'L', '1'};
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr uint32_t kSegmentHeaderSize = 64;
inline constexpr uint32_t kRecordMagic = 0x52524443;  // "CDRR" as little-endian bytes
inline constexpr uint32_t kRecordHeaderSize = 56;

struct SegmentHeader {
  uint64_t first_seq = 0;
  uint64_t created_ns = 0;
};

void EncodeSegmentHeader(const SegmentHeader& h, uint8_t out[kSegmentHeaderSize]);
// nullopt if the magic, version, size or checksum is wrong.
std::optional<SegmentHeader> DecodeSegmentHeader(const uint8_t in[kSegmentHeaderSize]);

// Encodes every field of `r` except data; r.checksum must already be the data checksum (DataChecksum).
void EncodeRecordHeader(const Record& r, uint8_t out[kRecordHeaderSize]);
// Decodes a header and checks what the header alone can tell: magic, header checksum, kind, the expected seq
// and a zero data checksum on records without data. *why says what is wrong when it returns nullopt.
std::optional<Record> DecodeRecordHeader(const uint8_t in[kRecordHeaderSize], uint64_t expected_seq,
                                         std::string* why);

// Bytes the record occupies on disk (header + data for kWrite).
inline uint64_t RecordDiskSize(RecordKind kind, uint64_t length) {
  return kRecordHeaderSize + (kind == RecordKind::kWrite ? length : 0);
}

uint64_t DataChecksum(const uint8_t* data, size_t length);

// CLOCK_REALTIME in ns since the epoch, as a record's time_ns (and the replication stream's heartbeats) carry it.
uint64_t NowRecordTimeNs();

}  // namespace cdr::journal
