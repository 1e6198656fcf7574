#include "agent/internal/journal_follower.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "tests/support/process_test_util.h"

namespace cdr::agent::internal {
namespace {

using testing::TempDir;

std::vector<uint8_t> Block(uint64_t seq) { return std::vector<uint8_t>(4096, static_cast<uint8_t>('a' + seq)); }

std::unique_ptr<Journal> OpenJournal(const std::filesystem::path& dir, uint64_t tail_bytes) {
  auto j = Journal::Open(dir, {.tail_bytes = tail_bytes});
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return j.ok() ? std::move(*j) : nullptr;
}

void Append(Journal& journal, uint64_t seq) {
  const std::vector<uint8_t> data = Block(seq);
  Result<uint64_t> got = journal.Append(journal::RecordKind::kWrite, 0, seq * 4096, data.size(), data);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(*got, seq);
}

// Reads until the follower has nothing more up to `up_to`, checking seq continuity and each record's data.
void ExpectRecords(JournalFollower& follower, uint64_t first, uint64_t up_to) {
  journal::Record r;
  for (uint64_t seq = first; seq <= up_to; ++seq) {
    Result<bool> got = follower.Next(up_to, &r);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(*got) << "no record " << seq;
    ASSERT_EQ(r.seq, seq);
    EXPECT_EQ(r.offset, seq * 4096);
    EXPECT_EQ(std::vector<uint8_t>(r.data.begin(), r.data.end()), Block(seq));
  }
  Result<bool> end = follower.Next(up_to, &r);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
}

// A sender behind the memory tail reads the file, then switches to memory once it reaches the tail: the same
// records in the same order, whichever the source.
TEST(JournalFollowerTest, ReadsTheFileBehindTheTailThenMemory) {
  TempDir dir;
  auto journal = OpenJournal(dir.path(), 3 * 4096);  // the tail holds the newest three records
  for (uint64_t seq = 1; seq <= 10; ++seq) Append(*journal, seq);
  JournalFollower follower(journal.get(), 1);
  ExpectRecords(follower, 1, 10);
  EXPECT_EQ(follower.from_file(), 7u);
  EXPECT_EQ(follower.from_memory(), 3u);
  // Caught up: every new record comes from memory, with no file read.
  Append(*journal, 11);
  Append(*journal, 12);
  ExpectRecords(follower, 11, 12);
  EXPECT_EQ(follower.from_file(), 7u);
  EXPECT_EQ(follower.from_memory(), 5u);
}

// After a restart the tail is empty: the records come from the file.
TEST(JournalFollowerTest, AReopenedJournalIsReadFromTheFile) {
  TempDir dir;
  {
    auto journal = OpenJournal(dir.path(), 1 << 20);
    for (uint64_t seq = 1; seq <= 4; ++seq) Append(*journal, seq);
  }
  auto journal = OpenJournal(dir.path(), 1 << 20);
  JournalFollower follower(journal.get(), 2);
  ExpectRecords(follower, 2, 4);
  EXPECT_EQ(follower.from_file(), 3u);
  Append(*journal, 5);
  ExpectRecords(follower, 5, 5);
  EXPECT_EQ(follower.from_memory(), 1u);
}

}  // namespace
}  // namespace cdr::agent::internal
