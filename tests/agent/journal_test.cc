#include "agent/journal.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "journal/format.h"
#include "journal/reader.h"
#include "journal/segment_files.h"
#include "tests/support/process_test_util.h"

namespace cdr::agent {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

std::unique_ptr<Journal> OpenJournalIn(const fs::path& dir, JournalOptions options = {}) {
  auto j = Journal::Open(dir, options);
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return j.ok() ? std::move(*j) : nullptr;
}

struct ReadAll {
  std::vector<journal::Record> records;
  std::vector<std::vector<uint8_t>> data;
  Status end;  // OK when the journal ended cleanly
};

ReadAll ReadFrom(const fs::path& dir, uint64_t from) {
  ReadAll all;
  auto reader = journal::JournalReader::Open(dir, from);
  if (!reader.ok()) {
    all.end = reader.status();
    return all;
  }
  journal::Record r;
  while (true) {
    Result<bool> next = (*reader)->Next(&r);
    if (!next.ok()) {
      all.end = next.status();
      break;
    }
    if (!*next) break;
    all.records.push_back(r);
    all.data.emplace_back(r.data.begin(), r.data.end());
  }
  return all;
}

fs::path OnlySegment(const fs::path& dir) {
  auto segments = journal::ListSegments(dir);
  EXPECT_EQ(segments.size(), 1u);
  return segments.empty() ? fs::path() : segments.front().path;
}

TEST(JournalTest, AppendThenReadBackEveryFieldAndByte) {
  TempDir tmp;
  auto journal = OpenJournalIn(tmp / "j");
  const auto a = Pattern(4096, 1), b = Pattern(100, 2);
  ASSERT_EQ(*journal->Append(journal::RecordKind::kWrite, journal::kRecordFlagFua, 8192, a.size(), a), 1u);
  ASSERT_EQ(*journal->Append(journal::RecordKind::kZero, journal::kRecordFlagNoHole, 1 << 20, 65536, {}), 2u);
  ASSERT_EQ(*journal->Append(journal::RecordKind::kTrim, 0, 0, 4096, {}), 3u);
  ASSERT_EQ(*journal->Append(journal::RecordKind::kWrite, 0, 12345, b.size(), b), 4u);
  ASSERT_TRUE(journal->Sync().ok());

  ReadAll all = ReadFrom(tmp / "j", 1);
  ASSERT_TRUE(all.end.ok()) << all.end.ToString();
  ASSERT_EQ(all.records.size(), 4u);
  EXPECT_EQ(all.records[0].kind, journal::RecordKind::kWrite);
  EXPECT_EQ(all.records[0].flags, journal::kRecordFlagFua);
  EXPECT_EQ(all.records[0].offset, 8192u);
  EXPECT_EQ(all.data[0], a);
  EXPECT_EQ(all.records[0].checksum, journal::DataChecksum(a.data(), a.size()));
  EXPECT_EQ(all.records[1].kind, journal::RecordKind::kZero);
  EXPECT_EQ(all.records[1].length, 65536u);
  EXPECT_TRUE(all.data[1].empty());
  EXPECT_EQ(all.records[2].kind, journal::RecordKind::kTrim);
  EXPECT_EQ(all.data[3], b);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(all.records[i].seq, i + 1);
  EXPECT_LE(all.records[0].time_ns, all.records[3].time_ns);
  EXPECT_GT(all.records[0].time_ns, 1'600'000'000ull * 1'000'000'000ull);

  ReadAll tail = ReadFrom(tmp / "j", 3);
  ASSERT_EQ(tail.records.size(), 2u);
  EXPECT_EQ(tail.records[0].seq, 3u);
}

TEST(JournalTest, SeqContinuesAfterReopen) {
  TempDir tmp;
  const auto a = Pattern(512, 3);
  {
    auto journal = OpenJournalIn(tmp / "j");
    ASSERT_TRUE(journal->Append(journal::RecordKind::kWrite, 0, 0, a.size(), a).ok());
    ASSERT_TRUE(journal->Append(journal::RecordKind::kWrite, 0, 512, a.size(), a).ok());
  }
  auto journal = OpenJournalIn(tmp / "j");
  EXPECT_EQ(journal->next_seq(), 3u);
  EXPECT_EQ(journal->dropped_tail_bytes(), 0u);
  EXPECT_EQ(*journal->Append(journal::RecordKind::kWrite, 0, 1024, a.size(), a), 3u);
  EXPECT_EQ(ReadFrom(tmp / "j", 1).records.size(), 3u);
}

TEST(JournalTest, FlippedDataByteIsReportedAsCorruptNotReturned) {
  TempDir tmp;
  const auto a = Pattern(4096, 4);
  {
    auto journal = OpenJournalIn(tmp / "j");
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(journal->Append(journal::RecordKind::kWrite, 0, i * 4096, a.size(), a).ok());
  }
  const fs::path seg = OnlySegment(tmp / "j");
  // One byte inside the data of the second record.
  const off_t at = journal::kSegmentHeaderSize + (journal::kRecordHeaderSize + 4096) + journal::kRecordHeaderSize + 100;
  int fd = ::open(seg.c_str(), O_RDWR);
  uint8_t byte;
  ASSERT_EQ(::pread(fd, &byte, 1, at), 1);
  byte ^= 0x40;
  ASSERT_EQ(::pwrite(fd, &byte, 1, at), 1);
  ::close(fd);

  ReadAll all = ReadFrom(tmp / "j", 1);
  EXPECT_EQ(all.records.size(), 1u);
  EXPECT_EQ(all.end.code(), StatusCode::kDataLoss);
  EXPECT_NE(all.end.message().find("corrupt record at seq 2"), std::string::npos) << all.end.message();
  EXPECT_NE(all.end.message().find("data checksum"), std::string::npos) << all.end.message();
}

TEST(JournalTest, FlippedHeaderByteIsReportedAsCorrupt) {
  TempDir tmp;
  const auto a = Pattern(64, 5);
  {
    auto journal = OpenJournalIn(tmp / "j");
    ASSERT_TRUE(journal->Append(journal::RecordKind::kWrite, 0, 0, a.size(), a).ok());
  }
  int fd = ::open(OnlySegment(tmp / "j").c_str(), O_RDWR);
  const uint8_t bad = 0xff;
  ASSERT_EQ(::pwrite(fd, &bad, 1, journal::kSegmentHeaderSize + 24), 1);  // the offset field
  ::close(fd);
  ReadAll all = ReadFrom(tmp / "j", 1);
  EXPECT_TRUE(all.records.empty());
  EXPECT_EQ(all.end.code(), StatusCode::kDataLoss);
  EXPECT_NE(all.end.message().find("header checksum"), std::string::npos) << all.end.message();
}

TEST(JournalTest, TornTailIsReportedThenCutOnReopen) {
  TempDir tmp;
  const auto a = Pattern(4096, 6);
  {
    auto journal = OpenJournalIn(tmp / "j");
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(journal->Append(journal::RecordKind::kWrite, 0, i * 4096, a.size(), a).ok());
  }
  const fs::path seg = OnlySegment(tmp / "j");
  const uint64_t full_size = fs::file_size(seg);
  fs::resize_file(seg, full_size - 1000);  // the last append cut short, as by a crash

  ReadAll all = ReadFrom(tmp / "j", 1);
  EXPECT_EQ(all.records.size(), 2u);
  EXPECT_EQ(all.end.code(), StatusCode::kDataLoss);
  EXPECT_NE(all.end.message().find("torn tail at seq 3"), std::string::npos) << all.end.message();

  auto journal = OpenJournalIn(tmp / "j");
  EXPECT_EQ(journal->dropped_tail_bytes(), journal::kRecordHeaderSize + 4096 - 1000);
  EXPECT_EQ(journal->next_seq(), 3u);
  ASSERT_EQ(*journal->Append(journal::RecordKind::kWrite, 0, 0, a.size(), a), 3u);
  ReadAll again = ReadFrom(tmp / "j", 1);
  EXPECT_TRUE(again.end.ok()) << again.end.ToString();
  EXPECT_EQ(again.records.size(), 3u);
}

TEST(JournalTest, SegmentsRollOverAndReleaseDeletesAckedOnes) {
  TempDir tmp;
  JournalOptions options;
  options.segment_bytes = 64 * 1024;  // about 15 records of 4 KiB each
  auto journal = OpenJournalIn(tmp / "j", options);
  const auto a = Pattern(4096, 7);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(journal->Append(journal::RecordKind::kWrite, 0, i * 4096, a.size(), a).ok());
  auto segments = journal::ListSegments(tmp / "j");
  ASSERT_GE(segments.size(), 6u);
  for (const auto& s : segments) EXPECT_LE(fs::file_size(s.path), options.segment_bytes);

  ReadAll all = ReadFrom(tmp / "j", 1);
  ASSERT_TRUE(all.end.ok()) << all.end.ToString();
  ASSERT_EQ(all.records.size(), 100u);
  EXPECT_EQ(all.records[99].offset, 99u * 4096);

  const uint64_t before = journal->total_bytes();
  const uint64_t acked = segments[2].first_seq;  // the first record of the third segment
  ASSERT_TRUE(journal->ReleaseUpTo(acked).ok());
  // Segments 0 and 1 hold only acked records; segment 2 still holds unacked ones after `acked`.
  EXPECT_EQ(journal->first_seq(), segments[2].first_seq);
  EXPECT_LT(journal->total_bytes(), before);
  EXPECT_EQ(journal::ListSegments(tmp / "j").size(), segments.size() - 2);
  EXPECT_EQ(journal::JournalReader::Open(tmp / "j", 1).status().code(), StatusCode::kFailedPrecondition);
  ReadAll rest = ReadFrom(tmp / "j", acked + 1);
  ASSERT_TRUE(rest.end.ok()) << rest.end.ToString();
  EXPECT_EQ(rest.records.size(), 100 - acked);

  // Everything acked: only the active segment remains and the seq goes on after a reopen.
  ASSERT_TRUE(journal->ReleaseUpTo(100).ok());
  EXPECT_EQ(journal::ListSegments(tmp / "j").size(), 1u);
  journal.reset();
  journal = OpenJournalIn(tmp / "j", options);
  EXPECT_EQ(journal->next_seq(), 101u);
}

TEST(JournalTest, ReaderFollowsALiveJournalAcrossSegments) {
  TempDir tmp;
  JournalOptions options;
  options.segment_bytes = 16 * 1024;
  auto journal = OpenJournalIn(tmp / "j", options);
  const auto a = Pattern(4096, 8);
  ASSERT_TRUE(journal->Append(journal::RecordKind::kWrite, 0, 0, a.size(), a).ok());
  auto reader = journal::JournalReader::Open(tmp / "j", 1);
  ASSERT_TRUE(reader.ok());
  journal::Record r;
  ASSERT_TRUE(*(*reader)->Next(&r));
  EXPECT_FALSE(*(*reader)->Next(&r));  // caught up
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(journal->Append(journal::RecordKind::kWrite, 0, i * 4096, a.size(), a).ok());
  for (uint64_t seq = 2; seq <= 11; ++seq) {
    Result<bool> next = (*reader)->Next(&r);
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    ASSERT_TRUE(*next);
    EXPECT_EQ(r.seq, seq);
  }
  EXPECT_FALSE(*(*reader)->Next(&r));
}

TEST(JournalTest, SizeBoundTurnsJournalFullUntilReset) {
  TempDir tmp;
  JournalOptions options;
  options.segment_bytes = 64 * 1024;
  options.max_bytes = 256 * 1024;
  auto journal = OpenJournalIn(tmp / "j", options);
  const auto a = Pattern(4096, 9);
  int appended = 0;
  Status last;
  for (int i = 0; i < 100; ++i) {
    Result<uint64_t> seq = journal->Append(journal::RecordKind::kWrite, 0, i * 4096, a.size(), a);
    if (!seq.ok()) {
      last = seq.status();
      break;
    }
    ++appended;
  }
  EXPECT_EQ(last.code(), StatusCode::kUnavailable);
  EXPECT_EQ(last.message(), "journal full");
  EXPECT_TRUE(journal->full());
  EXPECT_LE(journal->total_bytes(), options.max_bytes);
  EXPECT_GT(appended, 50);
  // Releasing space does not reopen a journal with a hole in it.
  ASSERT_TRUE(journal->ReleaseUpTo(appended).ok());
  EXPECT_FALSE(journal->Append(journal::RecordKind::kTrim, 0, 0, 4096, {}).ok());
  ASSERT_TRUE(journal->Reset().ok());
  EXPECT_FALSE(journal->full());
  EXPECT_EQ(*journal->Append(journal::RecordKind::kTrim, 0, 0, 4096, {}), static_cast<uint64_t>(appended + 1));
}

// The realtime sender waits on its own condition and is woken by the journal's listener: every append, a
// refused one too (a full journal is news for the sender), and never after the listener was removed.
TEST(JournalTest, AppendListenersRunOnEveryAppendUntilRemoved) {
  TempDir tmp;
  JournalOptions options;
  options.segment_bytes = 16 * 1024;
  options.max_bytes = 32 * 1024;
  auto journal = OpenJournalIn(tmp / "j", options);
  std::vector<uint64_t> seen;  // next_seq as each call saw it: the record is readable when the listener runs
  std::vector<uint64_t> seqs;  // the seq each call was given; 0 for a refused append
  const uint64_t id = journal->AddAppendListener([&](const Result<uint64_t>& appended) {
    seen.push_back(journal->next_seq());
    seqs.push_back(appended.ok() ? *appended : 0);
  });
  const auto a = Pattern(4096, 5);
  ASSERT_TRUE(journal->Append(journal::RecordKind::kWrite, 0, 0, a.size(), a).ok());
  ASSERT_TRUE(journal->Append(journal::RecordKind::kTrim, 0, 0, 4096, {}).ok());
  EXPECT_EQ(seen, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2}));
  while (journal->Append(journal::RecordKind::kWrite, 0, 0, a.size(), a).ok()) {
  }
  ASSERT_TRUE(journal->full());
  const size_t calls = seen.size();
  EXPECT_EQ(seen.back(), journal->next_seq()) << "the refused append called the listener too";
  EXPECT_EQ(seqs.back(), 0u) << "and told it the append was refused";
  journal->RemoveAppendListener(id);
  (void)journal->Append(journal::RecordKind::kTrim, 0, 0, 4096, {});
  EXPECT_EQ(seen.size(), calls);
}

// Concurrent appends are written together, but each one returns only once its record is in the file, and the
// file holds every record once, in seq order, across segment rollovers.
TEST(JournalTest, ConcurrentAppendsAreInTheFileWhenTheyReturn) {
  TempDir tmp;
  JournalOptions options;
  options.segment_bytes = 64 * 1024;
  auto journal = OpenJournalIn(tmp / "j", options);
  constexpr int kThreads = 6, kEach = 60;
  std::vector<std::vector<uint64_t>> seqs(kThreads);
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const auto data = Pattern(4096, static_cast<uint8_t>(t * kEach + i));
        const uint64_t offset = (static_cast<uint64_t>(t) * kEach + i) * 4096;
        Result<uint64_t> seq = journal->Append(journal::RecordKind::kWrite, 0, offset, data.size(), data);
        if (!seq.ok()) {
          failures[t] = seq.status().ToString();
          return;
        }
        seqs[t].push_back(*seq);
        if (journal->next_seq() <= *seq) failures[t] = "next_seq() does not cover an appended record";
        auto reader = journal::JournalReader::Open(tmp / "j", *seq, *seq);
        journal::Record r;
        Result<bool> got = reader.ok() ? (*reader)->Next(&r) : Result<bool>(reader.status());
        if (!got.ok() || !*got || r.offset != offset) {
          failures[t] = "seq " + std::to_string(*seq) + " not in the file when Append returned";
          return;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(failures[t], "") << "thread " << t;
    EXPECT_TRUE(std::is_sorted(seqs[t].begin(), seqs[t].end()));
  }
  ReadAll all = ReadFrom(tmp / "j", 1);
  ASSERT_TRUE(all.end.ok()) << all.end.ToString();
  ASSERT_EQ(all.records.size(), static_cast<size_t>(kThreads * kEach));
  std::vector<bool> seen(kThreads * kEach);
  for (size_t i = 0; i < all.records.size(); ++i) {
    EXPECT_EQ(all.records[i].seq, i + 1);
    const uint64_t n = all.records[i].offset / 4096;
    ASSERT_LT(n, seen.size());
    EXPECT_FALSE(seen[n]) << "record " << n << " twice";
    seen[n] = true;
    EXPECT_EQ(all.data[i], Pattern(4096, static_cast<uint8_t>(n)));
  }
  EXPECT_GE(journal::ListSegments(tmp / "j").size(), 4u);
  EXPECT_EQ(journal->next_seq(), static_cast<uint64_t>(kThreads * kEach + 1));
}

// A journal whose newest segment holds no record yet (nothing written, or just rolled over) ends cleanly
// instead of reopening that segment forever.
TEST(JournalReaderTest, EmptyNewestSegmentEndsTheRead) {
  TempDir tmp;
  { auto j = OpenJournalIn(tmp.path() / "empty"); }
  ReadAll none = ReadFrom(tmp.path() / "empty", 1);
  EXPECT_TRUE(none.end.ok()) << none.end.ToString();
  EXPECT_TRUE(none.records.empty());
}

}  // namespace
}  // namespace cdr::agent
