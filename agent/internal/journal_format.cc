#include "agent/internal/journal_format.h"

#include <time.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>

#include <xxhash.h>

namespace cdr::agent::internal {
namespace {

void Put16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }  // the agent only runs on little-endian hosts
void Put32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
void Put64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }
uint16_t Get16(const uint8_t* p) { uint16_t v; std::memcpy(&v, p, 2); return v; }
uint32_t Get32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
uint64_t Get64(const uint8_t* p) { uint64_t v; std::memcpy(&v, p, 8); return v; }

static_assert(std::endian::native == std::endian::little, "journal format is little-endian");

}  // namespace

void EncodeSegmentHeader(const SegmentHeader& h, uint8_t out[kSegmentHeaderSize]) {
  std::memset(out, 0, kSegmentHeaderSize);
  std::memcpy(out, kSegmentMagic, 8);
  Put32(out + 8, kSegmentVersion);
  Put32(out + 12, kSegmentHeaderSize);
  Put64(out + 16, h.first_seq);
  Put64(out + 24, h.created_ns);
  Put64(out + 56, XXH3_64bits(out, 56));
}

std::optional<SegmentHeader> DecodeSegmentHeader(const uint8_t in[kSegmentHeaderSize]) {
  if (std::memcmp(in, kSegmentMagic, 8) != 0 || Get32(in + 8) != kSegmentVersion ||
      Get32(in + 12) != kSegmentHeaderSize || Get64(in + 56) != XXH3_64bits(in, 56)) {
    return std::nullopt;
  }
  return SegmentHeader{Get64(in + 16), Get64(in + 24)};
}

void EncodeRecordHeader(const JournalRecord& r, uint8_t out[kRecordHeaderSize]) {
  Put32(out, kRecordMagic);
  Put16(out + 4, static_cast<uint16_t>(r.kind));
  Put16(out + 6, r.flags);
  Put64(out + 8, r.seq);
  Put64(out + 16, r.time_ns);
  Put64(out + 24, r.offset);
  Put64(out + 32, r.length);
  Put64(out + 40, r.checksum);
  Put64(out + 48, XXH3_64bits(out, 48));
}

std::optional<JournalRecord> DecodeRecordHeader(const uint8_t in[kRecordHeaderSize]) {
  if (Get32(in) != kRecordMagic || Get64(in + 48) != XXH3_64bits(in, 48)) return std::nullopt;
  JournalRecord r;
  const uint16_t kind = Get16(in + 4);
  if (kind < 1 || kind > 3) return std::nullopt;
  r.kind = static_cast<RecordKind>(kind);
  r.flags = Get16(in + 6);
  r.seq = Get64(in + 8);
  r.time_ns = Get64(in + 16);
  r.offset = Get64(in + 24);
  r.length = Get64(in + 32);
  r.checksum = Get64(in + 40);
  return r;
}

uint64_t DataChecksum(const uint8_t* data, size_t length) { return XXH3_64bits(data, length); }

std::string SegmentFileName(uint64_t first_seq) {
  char name[64];
  std::snprintf(name, sizeof name, "seg-%020llu.journal", static_cast<unsigned long long>(first_seq));
  return name;
}

std::vector<SegmentFile> ListSegments(const std::filesystem::path& dir) {
  std::vector<SegmentFile> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    unsigned long long seq = 0;
    char tail[16] = {};
    // Exact shape only: temp files of a segment being created ("….journal.tmp") are not segments yet.
    if (name.size() == 32 && std::sscanf(name.c_str(), "seg-%20llu.%15s", &seq, tail) == 2 &&
        std::strcmp(tail, "journal") == 0) {
      out.push_back({seq, entry.path()});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first_seq < b.first_seq; });
  return out;
}

uint64_t NowRealtimeNs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace cdr::agent::internal
