#include "journal/reader.h"

#include <unistd.h>

#include <vector>

#include <gtest/gtest.h>

#include "journal/format.h"
#include "journal/record_io.h"
#include "journal/segment_files.h"
#include "tests/support/process_test_util.h"

namespace cdr::journal {
namespace {

// Appends trims (header-only records) to a segment the way a writer does, rolling to a new one on request.
class TrimWriter {
 public:
  explicit TrimWriter(const std::filesystem::path& dir) : dir_(dir) { Roll(); }
  ~TrimWriter() { ::close(fd_); }
  void Roll() {
    if (fd_ >= 0) ::close(fd_);
    Result<int> fd = CreateSegment(dir_, next_seq_);
    ASSERT_TRUE(fd.ok()) << fd.status().ToString();
    fd_ = *fd;
    pos_ = kSegmentHeaderSize;
  }
  uint64_t Append() {
    Record r;
    r.kind = RecordKind::kTrim;
    r.seq = next_seq_;
    r.length = 4096;
    EXPECT_TRUE(AppendRecord(fd_, pos_, r, {}));
    pos_ += kRecordHeaderSize;
    return next_seq_++;
  }

 private:
  std::filesystem::path dir_;
  int fd_ = -1;
  uint64_t pos_ = 0;
  uint64_t next_seq_ = 1;
};

std::vector<uint64_t> Drain(JournalReader& reader) {
  std::vector<uint64_t> seqs;
  Record r;
  for (int i = 0; i < 1000; ++i) {
    Result<bool> more = reader.Next(&r);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    seqs.push_back(r.seq);
  }
  return seqs;
}

TEST(JournalReaderTest, OneReaderFollowsTheWriterAcrossSegmentsAsItsLimitIsRaised) {
  testing::TempDir dir;
  TrimWriter writer(dir.path());
  writer.Append();
  writer.Append();
  Result<std::unique_ptr<JournalReader>> reader = JournalReader::Open(dir.path(), 2, /*up_to_seq=*/2);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(Drain(**reader), (std::vector<uint64_t>{2}));

  writer.Append();  // 3, not yet published to the reader
  EXPECT_TRUE(Drain(**reader).empty());
  writer.Roll();
  writer.Append();  // 4, in a new segment
  (*reader)->set_up_to_seq(4);
  EXPECT_EQ(Drain(**reader), (std::vector<uint64_t>{3, 4}));
  (*reader)->set_up_to_seq(10);
  EXPECT_TRUE(Drain(**reader).empty()) << "caught up with the writer";
  writer.Append();
  EXPECT_EQ(Drain(**reader), (std::vector<uint64_t>{5}));
}

TEST(JournalReaderTest, ReleasedSeqIsAFailedPrecondition) {
  testing::TempDir dir;
  TrimWriter writer(dir.path());
  writer.Append();
  writer.Roll();
  writer.Append();
  ASSERT_EQ(::unlink((dir / SegmentFileName(1)).c_str()), 0);
  EXPECT_EQ(JournalReader::Open(dir.path(), 1).status().code(), StatusCode::kFailedPrecondition);
  Result<std::unique_ptr<JournalReader>> reader = JournalReader::Open(dir.path(), 2);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(Drain(**reader), (std::vector<uint64_t>{2}));
}

}  // namespace
}  // namespace cdr::journal
