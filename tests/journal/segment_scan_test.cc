#include "journal/segment_scan.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include <gtest/gtest.h>

#include "journal/format.h"
#include "journal/record_io.h"
#include "journal/segment_files.h"
#include "tests/support/process_test_util.h"

namespace cdr::journal {
namespace {
namespace fs = std::filesystem;

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 13);
  return v;
}

// A segment starting at seq 10 with `count` records: writes of 1000 bytes and every third a zero.
struct SegmentFixture {
  explicit SegmentFixture(int count) {
    Result<int> created = CreateSegment(dir.path(), 10);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    fd = *created;
    path = dir / SegmentFileName(10);
    uint64_t pos = kSegmentHeaderSize;
    for (int i = 0; i < count; ++i) {
      Record r;
      r.seq = 10 + i;
      r.time_ns = 1000 + i;
      r.offset = 4096u * i;
      std::vector<uint8_t> data;
      if (i % 3 == 2) {
        r.kind = RecordKind::kZero;
        r.length = 8192;
      } else {
        data = Pattern(1000, static_cast<uint8_t>(i));
        r.length = data.size();
        r.checksum = DataChecksum(data.data(), data.size());
      }
      EXPECT_TRUE(AppendRecord(fd, pos, r, data));
      ends.push_back(pos += RecordDiskSize(r.kind, r.length));
    }
  }
  ~SegmentFixture() { ::close(fd); }
  uint64_t FileSize() const {
    struct stat st {};
    ::fstat(fd, &st);
    return static_cast<uint64_t>(st.st_size);
  }
  void FlipByte(uint64_t at) const {
    uint8_t b = 0;
    ASSERT_EQ(::pread(fd, &b, 1, static_cast<off_t>(at)), 1);
    b ^= 0x40;
    ASSERT_EQ(::pwrite(fd, &b, 1, static_cast<off_t>(at)), 1);
  }

  testing::TempDir dir;
  int fd = -1;
  fs::path path;
  std::vector<uint64_t> ends;  // byte position after each record
};

TEST(SegmentScanTest, CleanSegmentGivesEveryRecordWithItsDataPosition) {
  SegmentFixture seg(5);
  std::vector<uint64_t> seqs, data_pos;
  Result<ScanResult> scan = ScanSegment(seg.fd, seg.path, 10, {TailPolicy::kStrict, true},
                                        [&](const Record& r, uint64_t at) {
                                          seqs.push_back(r.seq);
                                          data_pos.push_back(at);
                                          if (r.kind == RecordKind::kWrite) {
                                            EXPECT_EQ(std::vector<uint8_t>(r.data.begin(), r.data.end()),
                                                      Pattern(1000, static_cast<uint8_t>(r.seq - 10)));
                                          }
                                        });
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_EQ(seqs, (std::vector<uint64_t>{10, 11, 12, 13, 14}));
  EXPECT_EQ(data_pos[0], kSegmentHeaderSize + kRecordHeaderSize);
  EXPECT_EQ(data_pos[1], seg.ends[0] + kRecordHeaderSize);
  EXPECT_EQ(scan->next_seq, 15u);
  EXPECT_EQ(scan->end_pos, seg.ends.back());
  EXPECT_EQ(scan->last_time_ns, 1004u);
  EXPECT_EQ(scan->tail_bytes, 0u);
}

TEST(SegmentScanTest, TornTailIsRefusedStoppedBeforeOrCutAndSyncedByPolicy) {
  SegmentFixture seg(4);
  const uint64_t torn_end = seg.ends[2] + 700;  // record 13 (a write) cut in the middle of its data
  ASSERT_EQ(::ftruncate(seg.fd, static_cast<off_t>(torn_end)), 0);

  Result<ScanResult> strict = ScanSegment(seg.fd, seg.path, 10, {TailPolicy::kStrict, false});
  ASSERT_EQ(strict.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(strict.status().message().find("record data cut short"), std::string::npos);

  Result<ScanResult> live = ScanSegment(seg.fd, seg.path, 10, {TailPolicy::kStopAtTorn, false});
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(live->next_seq, 13u);
  EXPECT_EQ(live->tail_bytes, 700u);
  EXPECT_EQ(seg.FileSize(), torn_end) << "a read-only policy must not touch the file";

  Result<ScanResult> cut = ScanSegment(seg.fd, seg.path, 10, {TailPolicy::kCutDamaged, true});
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(cut->next_seq, 13u);
  EXPECT_EQ(cut->end_pos, seg.ends[2]);
  EXPECT_EQ(seg.FileSize(), seg.ends[2]);
  EXPECT_NE(cut->tail_detail.find("seq 13"), std::string::npos) << cut->tail_detail;
}

TEST(SegmentScanTest, CorruptRecordIsDataLossForReadersAndCutByTheWriter) {
  SegmentFixture seg(4);
  seg.FlipByte(seg.ends[0] + 30);  // inside record 11's header

  Result<ScanResult> live = ScanSegment(seg.fd, seg.path, 10, {TailPolicy::kStopAtTorn, false});
  ASSERT_EQ(live.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(live.status().message().find("offset " + std::to_string(seg.ends[0])), std::string::npos)
      << live.status().ToString();

  Result<ScanResult> cut = ScanSegment(seg.fd, seg.path, 10, {TailPolicy::kCutDamaged, true});
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->next_seq, 11u);
  EXPECT_EQ(seg.FileSize(), seg.ends[0]);
}

TEST(SegmentScanTest, DataChecksumIsCheckedOnlyWhenAsked) {
  SegmentFixture seg(2);
  seg.FlipByte(seg.ends[0] + kRecordHeaderSize + 500);  // record 11's data

  Result<ScanResult> headers = ScanSegment(seg.fd, seg.path, 10, {TailPolicy::kStrict, false});
  ASSERT_TRUE(headers.ok()) << "a header-only scan does not read data";
  EXPECT_EQ(headers->next_seq, 12u);

  Result<ScanResult> verified = ScanSegment(seg.fd, seg.path, 10, {TailPolicy::kStrict, true});
  ASSERT_EQ(verified.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(verified.status().message().find("data checksum mismatch"), std::string::npos);
}

TEST(SegmentScanTest, DamagedSegmentHeaderIsDataLossUnderEveryPolicy) {
  SegmentFixture seg(1);
  seg.FlipByte(20);
  for (TailPolicy tail : {TailPolicy::kStrict, TailPolicy::kStopAtTorn, TailPolicy::kCutDamaged}) {
    Result<ScanResult> scan = ScanSegment(seg.fd, seg.path, 10, {tail, true});
    EXPECT_EQ(scan.status().code(), StatusCode::kDataLoss);
  }
  EXPECT_EQ(seg.FileSize(), seg.ends.back()) << "a damaged header is media damage: nothing is cut";
}

TEST(SegmentFilesTest, ListsPaddedAndShortNamesInSeqOrderAndSkipsTempFiles) {
  testing::TempDir dir;
  for (const char* name : {"seg-00000000000000000020.journal", "seg-3.journal", "seg-7.journal.tmp",
                           "seg-x.journal", "notes.txt"}) {
    ::close(::open((dir / name).c_str(), O_CREAT | O_WRONLY, 0600));
  }
  std::vector<SegmentFile> listed = ListSegments(dir.path());
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].first_seq, 3u);
  EXPECT_EQ(listed[1].first_seq, 20u);
  RemoveUnfinishedSegments(dir.path());
  EXPECT_FALSE(fs::exists(dir / "seg-7.journal.tmp"));
  EXPECT_TRUE(fs::exists(dir / "seg-3.journal"));
}

}  // namespace
}  // namespace cdr::journal
