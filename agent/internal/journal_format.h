// Byte layout of journal segments (little-endian, documented in docs/journal-format.md). Shared by the writer
// (journal.cc) and the reader (journal_reader.cc) so the two cannot drift apart.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agent/journal_record.h"

namespace cdr::agent::internal {

inline constexpr char kSegmentMagic[8] = {'C', 'D', 'R', 'J', 'R', 'N', 'L', '1'};
inline constexpr uint32_t kSegmentVersion = 1;
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

// Encodes every field of `r` except data; r.checksum must already be the data checksum.
void EncodeRecordHeader(const JournalRecord& r, uint8_t out[kRecordHeaderSize]);
// nullopt if the magic, header checksum or kind is wrong.
std::optional<JournalRecord> DecodeRecordHeader(const uint8_t in[kRecordHeaderSize]);
// Bytes the record occupies on disk (header + data for kWrite).
inline uint64_t RecordDiskSize(RecordKind kind, uint64_t length) {
  return kRecordHeaderSize + (kind == RecordKind::kWrite ? length : 0);
}

uint64_t DataChecksum(const uint8_t* data, size_t length);

// "seg-00000000000000000001.journal": the name carries the first seq so listing needs no reads.
std::string SegmentFileName(uint64_t first_seq);
struct SegmentFile {
  uint64_t first_seq;
  std::filesystem::path path;
};
// Segments of `dir` sorted by first seq; other files are ignored.
std::vector<SegmentFile> ListSegments(const std::filesystem::path& dir);

uint64_t NowRealtimeNs();

}  // namespace cdr::agent::internal
