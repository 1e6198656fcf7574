#include "journal/format.h"

#include <bit>
#include <cstring>

#include <xxhash.h>

#include "common/clock.h"

namespace cdr::journal {
namespace {

// Little-endian hosts only (asserted below), so the in-memory bytes are the on-disk bytes.
void Put16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }
void Put32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
void Put64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }
uint16_t Get16(const uint8_t* p) { uint16_t v; std::memcpy(&v, p, 2); return v; }
uint32_t Get32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
uint64_t Get64(const uint8_t* p) { uint64_t v; std::memcpy(&v, p, 8); return v; }

static_assert(std::endian::native == std::endian::little, "journal format is little-endian");

constexpr size_t kSegmentChecked = 56;  // bytes covered by the segment header checksum
constexpr size_t kRecordChecked = 48;   // bytes covered by the record header checksum

}  // namespace

void EncodeSegmentHeader(const SegmentHeader& h, uint8_t out[kSegmentHeaderSize]) {
  std::memset(out, 0, kSegmentHeaderSize);
  std::memcpy(out, kSegmentMagic, 8);
  Put32(out + 8, kFormatVersion);
  Put32(out + 12, kSegmentHeaderSize);
  Put64(out + 16, h.first_seq);
  Put64(out + 24, h.created_ns);
  Put64(out + kSegmentChecked, XXH3_64bits(out, kSegmentChecked));
}

std::optional<SegmentHeader> DecodeSegmentHeader(const uint8_t in[kSegmentHeaderSize]) {
  if (std::memcmp(in, kSegmentMagic, 8) != 0 || Get32(in + 8) != kFormatVersion ||
      Get32(in + 12) != kSegmentHeaderSize || Get64(in + kSegmentChecked) != XXH3_64bits(in, kSegmentChecked)) {
    return std::nullopt;
  }
  return SegmentHeader{Get64(in + 16), Get64(in + 24)};
}

void EncodeRecordHeader(const Record& r, uint8_t out[kRecordHeaderSize]) {
  Put32(out, kRecordMagic);
  Put16(out + 4, static_cast<uint16_t>(r.kind));
  Put16(out + 6, r.flags);
  Put64(out + 8, r.seq);
  Put64(out + 16, r.time_ns);
  Put64(out + 24, r.offset);
  Put64(out + 32, r.length);
  Put64(out + 40, r.checksum);
  Put64(out + kRecordChecked, XXH3_64bits(out, kRecordChecked));
}

std::optional<Record> DecodeRecordHeader(const uint8_t in[kRecordHeaderSize], uint64_t expected_seq,
                                         std::string* why) {
  if (Get32(in) != kRecordMagic || Get64(in + kRecordChecked) != XXH3_64bits(in, kRecordChecked)) {
    *why = "record header checksum mismatch";
    return std::nullopt;
  }
  const uint16_t kind = Get16(in + 4);
  if (kind < static_cast<uint16_t>(RecordKind::kWrite) || kind > static_cast<uint16_t>(RecordKind::kTrim)) {
    *why = "unknown record kind " + std::to_string(kind);
    return std::nullopt;
  }
  Record r;
  r.kind = static_cast<RecordKind>(kind);
  r.flags = Get16(in + 6);
  r.seq = Get64(in + 8);
  r.time_ns = Get64(in + 16);
  r.offset = Get64(in + 24);
  r.length = Get64(in + 32);
  r.checksum = Get64(in + 40);
  if (r.seq != expected_seq) {
    *why = "seq " + std::to_string(r.seq) + " where " + std::to_string(expected_seq) + " was expected";
    return std::nullopt;
  }
  if (r.kind != RecordKind::kWrite && r.checksum != 0) {
    *why = "data checksum set on a record without data";
    return std::nullopt;
  }
  return r;
}

uint64_t DataChecksum(const uint8_t* data, size_t length) { return XXH3_64bits(data, length); }

uint64_t NowRecordTimeNs() { return static_cast<uint64_t>(NowUnixNanos()); }

}  // namespace cdr::journal
