// The disk at seq S read through PointInTimeDevice equals a naive replay of the same records onto the base.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "journal/segment_files.h"
#include "recovery/disk_log.h"
#include "recovery/extent_index.h"
#include "recovery/point_in_time_device.h"
#include "tests/recovery/history_builder.h"
#include "tests/support/process_test_util.h"

namespace cdr::recovery {
namespace {

using testing::DiskHistoryBuilder;
using testing::TestRecord;
using testing::TestRepair;

constexpr uint64_t kDiskSize = (1 << 20) + 512;  // not a multiple of 4 KiB: the last block is short

uint64_t TimeOfSeq(uint64_t seq) { return 1'000'000 + seq * 1000; }

// Reads the whole device in random-sized pieces, so reads start and end inside extents.
std::vector<uint8_t> ReadInPieces(agent::BlockDevice& device, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(device.Size());
  uint64_t pos = 0;
  while (pos < out.size()) {
    const uint64_t n = std::min<uint64_t>(out.size() - pos, 1 + rng() % 70000);
    EXPECT_TRUE(device.Read(pos, std::span(out.data() + pos, n)).ok());
    pos += n;
  }
  return out;
}

std::unique_ptr<PointInTimeDevice> DeviceAt(const std::shared_ptr<const DiskLog>& log, uint64_t seq) {
  EXPECT_TRUE(log->CheckConsistent(seq).ok()) << log->CheckConsistent(seq).ToString();
  return std::make_unique<PointInTimeDevice>(log, BuildExtentIndex(*log, seq));
}

std::shared_ptr<const DiskLog> OpenLog(const std::filesystem::path& dir, const std::string& disk) {
  Result<std::unique_ptr<DiskLog>> log = DiskLog::Open(dir, disk);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::shared_ptr<const DiskLog>(std::move(*log)) : nullptr;
}

TEST(PointInTimeIndexTest, RandomOverlappingRecordsAcrossSegmentsMatchNaiveReplay) {
  cdr::testing::TempDir tmp;
  DiskHistoryBuilder b(tmp.path(), "vda", kDiskSize, 7);
  std::vector<TestRecord> records;
  for (uint64_t seq = 1; seq <= 150; ++seq) records.push_back(b.RandomRecord(seq, TimeOfSeq(seq)));
  // Records 1..10 are before the base and are NOT in it: a reader that applied them would show it.
  std::vector<uint8_t> base = b.RandomBytes(kDiskSize);
  std::fill(base.begin() + 100000, base.begin() + 300000, 0);  // holes in the base read as zeroes
  b.WriteBase(base);
  b.WriteHistory(10, TimeOfSeq(10), {});
  b.WriteSegment({records.begin(), records.begin() + 40});
  b.WriteSegment({records.begin() + 40, records.begin() + 90});
  b.WriteSegment({records.begin() + 90, records.end()});

  std::shared_ptr<const DiskLog> log = OpenLog(tmp.path(), "vda");
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->newest_seq(), 150u);
  EXPECT_EQ(log->newest_time_ns(), TimeOfSeq(150));
  EXPECT_EQ(log->records().front().seq, 11u);

  std::vector<uint8_t> model = base;
  uint64_t seq = 10;
  for (uint64_t target : {10, 11, 40, 41, 77, 90, 91, 150}) {
    for (; seq < target; ++seq) DiskHistoryBuilder::Apply(records[seq], &model);  // records[i] has seq i+1
    std::unique_ptr<PointInTimeDevice> device = DeviceAt(log, target);
    EXPECT_TRUE(ReadInPieces(*device, static_cast<unsigned>(target)) == model)
        << "disk differs at seq " << target;
  }
  EXPECT_FALSE(log->CheckConsistent(9).ok());
  EXPECT_FALSE(log->CheckConsistent(151).ok());
}

// base 5; log 6..20; repair after 20 finished at 30 (the agent never sends 21..30); log 31..40.
class RepairHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    b_ = std::make_unique<DiskHistoryBuilder>(tmp_.path(), "vda", kDiskSize, 11);
    base_ = b_->RandomBytes(kDiskSize);
    b_->WriteBase(base_);
    for (uint64_t seq = 6; seq <= 20; ++seq) log_.push_back(b_->RandomRecord(seq, TimeOfSeq(seq)));
    repair_ = {20, 30, {}};
    for (uint64_t i = 1; i <= 4; ++i) {
      TestRecord r = b_->RandomRecord(i, TimeOfSeq(20) + i * 100);
      r.kind = journal::RecordKind::kWrite;  // a repair only writes
      if (r.data.empty()) r.data = b_->RandomBytes(r.length);
      repair_.records.push_back(r);
    }
    for (uint64_t seq = 31; seq <= 40; ++seq) log_.push_back(b_->RandomRecord(seq, TimeOfSeq(seq)));
    b_->WriteSegment({log_.begin(), log_.begin() + 15});
    b_->WriteSegment({log_.begin() + 15, log_.end()});
    b_->WriteRepairLog(repair_);
  }

  std::vector<uint8_t> ModelAt(uint64_t seq) {
    std::vector<uint8_t> model = base_;
    for (const TestRecord& r : log_) {
      if (r.seq <= seq && r.seq <= 20) DiskHistoryBuilder::Apply(r, &model);
    }
    if (seq >= 30) {
      for (const TestRecord& r : repair_.records) DiskHistoryBuilder::Apply(r, &model);
    }
    for (const TestRecord& r : log_) {
      if (r.seq <= seq && r.seq > 30) DiskHistoryBuilder::Apply(r, &model);
    }
    return model;
  }

  cdr::testing::TempDir tmp_;
  std::unique_ptr<DiskHistoryBuilder> b_;
  std::vector<uint8_t> base_;
  std::vector<TestRecord> log_;
  TestRepair repair_;
};

TEST_F(RepairHistoryTest, RepairDeltaIsAppliedAfterItsAfterSeqOnlyOnceFinished) {
  b_->WriteHistory(5, TimeOfSeq(5), {repair_});
  std::shared_ptr<const DiskLog> log = OpenLog(tmp_.path(), "vda");
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->newest_seq(), 40u);
  for (uint64_t seq : {5, 12, 20, 30, 35, 40}) {
    std::unique_ptr<PointInTimeDevice> device = DeviceAt(log, seq);
    EXPECT_TRUE(ReadInPieces(*device, static_cast<unsigned>(seq)) == ModelAt(seq))
        << "disk differs at seq " << seq;
  }
  const Status inside = log->CheckConsistent(25);
  EXPECT_EQ(inside.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(inside.message().find("inside a repair"), std::string::npos) << inside.message();
}

TEST_F(RepairHistoryTest, TimesMapToTheGreatestSeqAndATimeInsideTheRepairIsRefused) {
  b_->WriteHistory(5, TimeOfSeq(5), {repair_});
  std::shared_ptr<const DiskLog> log = OpenLog(tmp_.path(), "vda");
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(*log->SeqAtTime(TimeOfSeq(12) + 1), 12u);
  EXPECT_EQ(*log->SeqAtTime(TimeOfSeq(20) + 50), 20u);   // before the repair's first write
  EXPECT_EQ(*log->SeqAtTime(TimeOfSeq(20) + 450), 30u);  // after its last write
  EXPECT_EQ(*log->SeqAtTime(TimeOfSeq(99)), 40u);        // past the newest record: latest
  Result<uint64_t> inside = log->SeqAtTime(TimeOfSeq(20) + 250);
  ASSERT_FALSE(inside.ok());
  EXPECT_NE(inside.status().message().find("inside a repair"), std::string::npos)
      << inside.status().message();
  Result<uint64_t> before = log->SeqAtTime(TimeOfSeq(5) - 1);
  ASSERT_FALSE(before.ok());
  EXPECT_NE(before.status().message().find("before the window"), std::string::npos);
  uint64_t repair_bytes = 0;
  for (const TestRecord& r : repair_.records) repair_bytes += r.data.size();
  uint64_t log_bytes_21_to_35 = 0;
  for (const TestRecord& r : log_) {
    if (r.seq > 30 && r.seq <= 35)
      log_bytes_21_to_35 += r.kind == journal::RecordKind::kWrite ? r.data.size() : r.length;
  }
  EXPECT_EQ(log->BytesChanged(20, 35), repair_bytes + log_bytes_21_to_35);
}

TEST_F(RepairHistoryTest, NothingPastARunningRepairIsMaterialized) {
  // The same files, but history.json says the repair has not finished: records 31..40 must not be used.
  b_->WriteHistory(5, TimeOfSeq(5), {{20, 0, {}}});
  std::shared_ptr<const DiskLog> log = OpenLog(tmp_.path(), "vda");
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->newest_seq(), 20u);
  EXPECT_FALSE(log->CheckConsistent(31).ok());
  EXPECT_TRUE(log->CheckConsistent(20).ok());
}

TEST(PointInTimeIndexTest, UnexplainedGapEndsTheHistoryAndATornTailIsIgnored) {
  cdr::testing::TempDir tmp;
  DiskHistoryBuilder b(tmp.path(), "vda", kDiskSize, 3);
  b.WriteBase(std::vector<uint8_t>(kDiskSize, 0));
  b.WriteHistory(0, TimeOfSeq(0), {});
  std::vector<TestRecord> first, second;
  for (uint64_t seq = 1; seq <= 10; ++seq) first.push_back(b.RandomRecord(seq, TimeOfSeq(seq)));
  b.WriteSegment(first);
  {
    testing::SegmentWriter torn(tmp.path() / "vda.cdp", 11);
    torn.Append(b.RandomRecord(11, TimeOfSeq(11)));
    torn.AppendTorn(b.RandomRecord(12, TimeOfSeq(12), 1000), 30);
  }
  std::shared_ptr<const DiskLog> log = OpenLog(tmp.path(), "vda");
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->newest_seq(), 11u);

  for (uint64_t seq = 20; seq <= 25; ++seq) second.push_back(b.RandomRecord(seq, TimeOfSeq(seq)));
  b.WriteSegment(second);
  std::filesystem::remove(tmp.path() / "vda.cdp" / journal::SegmentFileName(11));
  log = OpenLog(tmp.path(), "vda");
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->newest_seq(), 10u);
  EXPECT_FALSE(log->CheckConsistent(20).ok());
}

TEST(PointInTimeIndexTest, IndexBuildTimeFor20kRecordsIsReported) {
  cdr::testing::TempDir tmp;
  constexpr uint64_t kBig = 1ull << 30;
  DiskHistoryBuilder b(tmp.path(), "vda", kBig, 5);
  b.WriteBase({});  // an all-hole base
  b.WriteHistory(0, TimeOfSeq(0), {});
  std::vector<TestRecord> records;
  std::mt19937_64 rng(5);
  for (uint64_t seq = 1; seq <= 20000; ++seq) {
    TestRecord r;
    r.seq = seq;
    r.time_ns = TimeOfSeq(seq);
    r.offset = rng() % (kBig / 4096 - 4) * 4096;
    r.data.assign(4096, static_cast<uint8_t>(seq));
    records.push_back(std::move(r));
  }
  b.WriteSegment(records);
  const auto start = std::chrono::steady_clock::now();
  std::shared_ptr<const DiskLog> log = OpenLog(tmp.path(), "vda");
  ASSERT_NE(log, nullptr);
  ExtentIndex index = BuildExtentIndex(*log, 20000);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("index of 20000 records (header scan + interval map): %.1f ms, %zu extents\n", ms,
              index.extents().size());
  ::testing::Test::RecordProperty("index_ms_20k_records", std::to_string(ms));
  EXPECT_GT(index.extents().size(), 19000u);
  // The newest record of a block wins.
  PointInTimeDevice device(log, std::move(index));
  std::vector<uint8_t> block(4096);
  ASSERT_TRUE(device.Read(records.back().offset, block).ok());
  EXPECT_EQ(block[0], static_cast<uint8_t>(20000));
}

}  // namespace
}  // namespace cdr::recovery
