#include "journal/format.h"

#include <cstring>
#include <vector>

#include <gtest/gtest.h>
#include <xxhash.h>

namespace cdr::journal {
namespace {

// Version 1 bytes laid out by hand from docs/journal-format.md, not by the encoder under test: a change to
// the encoder that moves a field breaks this test instead of silently changing the on-disk format.
template <typename T>
void Put(std::vector<uint8_t>& b, size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof v);
}

std::vector<uint8_t> HandMadeSegmentHeader(uint64_t first_seq, uint64_t created_ns) {
  std::vector<uint8_t> b(64, 0);
  std::memcpy(b.data(), "CDRJRNL1", 8);
  Put<uint32_t>(b, 8, 1);
  Put<uint32_t>(b, 12, 64);
  Put<uint64_t>(b, 16, first_seq);
  Put<uint64_t>(b, 24, created_ns);
  Put<uint64_t>(b, 56, XXH3_64bits(b.data(), 56));
  return b;
}

std::vector<uint8_t> HandMadeRecordHeader(uint16_t kind, uint16_t flags, uint64_t seq, uint64_t offset,
                                          uint64_t length, uint64_t data_checksum) {
  std::vector<uint8_t> b(56, 0);
  Put<uint32_t>(b, 0, 0x52524443);
  Put<uint16_t>(b, 4, kind);
  Put<uint16_t>(b, 6, flags);
  Put<uint64_t>(b, 8, seq);
  Put<uint64_t>(b, 16, 1'700'000'000'000'000'000ull);
  Put<uint64_t>(b, 24, offset);
  Put<uint64_t>(b, 32, length);
  Put<uint64_t>(b, 40, data_checksum);
  Put<uint64_t>(b, 48, XXH3_64bits(b.data(), 48));
  return b;
}

TEST(JournalFormatTest, VersionOneSegmentHeaderBytesAreReadAndWrittenAlike) {
  const std::vector<uint8_t> disk = HandMadeSegmentHeader(42, 123456789);
  std::optional<SegmentHeader> h = DecodeSegmentHeader(disk.data());
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->first_seq, 42u);
  EXPECT_EQ(h->created_ns, 123456789u);
  uint8_t encoded[kSegmentHeaderSize];
  EncodeSegmentHeader(*h, encoded);
  EXPECT_EQ(std::vector<uint8_t>(encoded, encoded + kSegmentHeaderSize), disk);
}

TEST(JournalFormatTest, VersionOneRecordHeaderBytesAreReadAndWrittenAlike) {
  const uint8_t data[5] = {1, 2, 3, 4, 5};
  const std::vector<uint8_t> disk = HandMadeRecordHeader(1, kRecordFlagFua, 7, 4096, 5, XXH3_64bits(data, 5));
  std::string why;
  std::optional<Record> r = DecodeRecordHeader(disk.data(), 7, &why);
  ASSERT_TRUE(r.has_value()) << why;
  EXPECT_EQ(r->kind, RecordKind::kWrite);
  EXPECT_EQ(r->flags, kRecordFlagFua);
  EXPECT_EQ(r->offset, 4096u);
  EXPECT_EQ(r->length, 5u);
  EXPECT_EQ(r->checksum, DataChecksum(data, 5));
  EXPECT_EQ(RecordDiskSize(r->kind, r->length), 56u + 5u);
  uint8_t encoded[kRecordHeaderSize];
  EncodeRecordHeader(*r, encoded);
  EXPECT_EQ(std::vector<uint8_t>(encoded, encoded + kRecordHeaderSize), disk);
}

TEST(JournalFormatTest, AnotherVersionIsRefusedNotGuessed) {
  std::vector<uint8_t> disk = HandMadeSegmentHeader(1, 0);
  Put<uint32_t>(disk, 8, 2);
  Put<uint64_t>(disk, 56, XXH3_64bits(disk.data(), 56));  // a well-formed header of a version this build lacks
  EXPECT_FALSE(DecodeSegmentHeader(disk.data()).has_value());
}

TEST(JournalFormatTest, EveryHeaderDamageIsNamed) {
  std::string why;
  std::vector<uint8_t> flipped = HandMadeRecordHeader(2, 0, 3, 0, 512, 0);
  flipped[30] ^= 0x10;
  EXPECT_FALSE(DecodeRecordHeader(flipped.data(), 3, &why).has_value());
  EXPECT_EQ(why, "record header checksum mismatch");

  EXPECT_FALSE(DecodeRecordHeader(HandMadeRecordHeader(2, 0, 4, 0, 512, 0).data(), 3, &why).has_value());
  EXPECT_EQ(why, "seq 4 where 3 was expected");

  EXPECT_FALSE(DecodeRecordHeader(HandMadeRecordHeader(9, 0, 3, 0, 512, 0).data(), 3, &why).has_value());
  EXPECT_EQ(why, "unknown record kind 9");

  EXPECT_FALSE(DecodeRecordHeader(HandMadeRecordHeader(3, 0, 3, 0, 512, 77).data(), 3, &why).has_value());
  EXPECT_EQ(why, "data checksum set on a record without data");

  EXPECT_EQ(RecordDiskSize(RecordKind::kZero, 1 << 20), kRecordHeaderSize);
}

}  // namespace
}  // namespace cdr::journal
