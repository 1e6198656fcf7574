// Persistent dirty bitmap of one export: one bit per `granularity` bytes, set when a block changes, cleared
// as a whole once the replica has every write (DirtyBitmapLayer::ClearIfReplicated). It must never forget a
// changed block across a crash:
//  - a bit going 0 → 1 is written to the file at once (pwrite of its 8-byte word), so it survives an agent
//    crash (kill -9) through the page cache; Sync() (on FLUSH/FUA) adds fdatasync for host crashes;
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
#include <mutex>
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
  // Clears every bit with one write of the file's words. The caller excludes Mark() meanwhile.
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
  Status PersistWord(size_t index);
  Status UpdateBits(uint64_t first_bit, uint64_t last_bit, bool set);

  int fd_;
  const uint64_t disk_size_;
  const uint64_t granularity_;
  std::unique_ptr<std::atomic<uint64_t>[]> words_;
  size_t word_count_;
  std::mutex persist_mutex_;  // orders the pwrite of a word after the in-memory change it carries
  std::atomic<bool> unsynced_{false};
  // Serializes the syncs too: a Sync() that finds unsynced_ cleared must not return before that fdatasync ends.
  GroupCommit sync_;
  BitmapRecovery recovery_ = BitmapRecovery::kNew;
};

}  // namespace cdr::agent
