// Persistent dirty bitmap of one export: one bit per `granularity` bytes, set when a block changes, cleared
// as a whole once the replica has every write (DirtyBitmapLayer::ClearIfReplicated). It must never forget a
// changed block across a crash:
//  - the words are the file's pages, mapped shared: a bit going 0 → 1 is in the page cache the moment it is
//    set (no syscall per write), so it survives an agent crash (kill -9); Sync() (at an orderly close) is an
//    fdatasync, which writes the mapping's dirty pages too;
//  - the header says `open` while an agent uses the file and `clean` after an orderly close. Opening a file
//    that is not clean reports how it was left (Recovery), and the caller replays the journal tail into it;
//  - the header keeps the host's boot id: `open` with another boot id means the host went down uncleanly, so
//    writes after the last flush may be on disk without being in the bitmap → the disk needs a repair.
// The file is flock'ed: two agents on one state directory would corrupt each other.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "agent/group_commit.h"
#include "common/status.h"

namespace cdr::agent {

enum class BitmapRecovery {
  kNew,              // created now, all clean
  kClean,            // orderly shutdown before: exact
  kAgentCrash,       // same boot, not closed: exact for acknowledged writes; replay the journal anyway
  kHostCrash,        // another boot, not closed: replay the journal, and the disk needs a repair
  kGeometryChanged,  // disk size or granularity changed: every bit set, the disk needs a repair
};
const char* BitmapRecoveryName(BitmapRecovery r);

struct DirtyRange {
  uint64_t offset;
  uint64_t length;
  bool operator==(const DirtyRange&) const = default;
};

class DirtyBitmap {
 public:
  static Result<std::unique_ptr<DirtyBitmap>> Open(const std::filesystem::path& path, uint64_t disk_size,
                                                   uint64_t granularity);
  ~DirtyBitmap();  // closes without marking clean: only CloseClean() says the file is exact
  DirtyBitmap(const DirtyBitmap&) = delete;
  DirtyBitmap& operator=(const DirtyBitmap&) = delete;

  BitmapRecovery recovery() const { return recovery_; }
  uint64_t granularity() const { return granularity_; }

  // Marks every block touched by [offset, offset + length).
  Status Mark(uint64_t offset, uint64_t length);
  // Clears the blocks lying entirely inside the range (a partly covered block may hold other changes).
  Status Clear(uint64_t offset, uint64_t length);
  // Clears every bit. The caller excludes Mark() meanwhile.
  Status ClearAll();
  Status Sync();
  // Sync, then mark the file clean; the object must not be used afterwards.
  Status CloseClean();

  bool IsDirty(uint64_t offset) const;
  uint64_t CountDirtyBlocks() const;
  // Dirty blocks merged into ranges, clipped to the disk size.
  std::vector<DirtyRange> DirtyRanges() const;

 private:
  DirtyBitmap(int fd, uint64_t disk_size, uint64_t granularity);
  Status WriteHeader(uint32_t state);
  Status Map();
  std::atomic_ref<uint64_t> Word(size_t index) const { return std::atomic_ref<uint64_t>(words_[index]); }
  Status UpdateBits(uint64_t first_bit, uint64_t last_bit, bool set);

  int fd_;
  const uint64_t disk_size_;
  const uint64_t granularity_;
  size_t word_count_;
  void* mapping_ = nullptr;  // the whole file, MAP_SHARED
  size_t mapping_bytes_ = 0;
  uint64_t* words_ = nullptr;  // inside mapping_, accessed through Word()
  std::atomic<bool> unsynced_{false};
  // Serializes the syncs too: a Sync() that finds unsynced_ cleared must not return before that fdatasync ends.
  GroupCommit sync_;
  BitmapRecovery recovery_ = BitmapRecovery::kNew;
};

}  // namespace cdr::agent
