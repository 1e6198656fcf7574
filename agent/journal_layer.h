// Pipeline layer that appends every successful write, zero and trim to the journal after the layer below
// (the backing store) has applied it. A journal that is full or broken never fails the write: the data is in
// the backing store and the dirty bitmap above still records the range; journal_full() tells the agent to
// report it (later: replication_error with the bitmap kept, then repair).
// Overlapping requests in flight together take turns (RangeLock) from the write below to the append, so the
// journal's seq order of overlapping records is the order in which their data reached the file.
// A FUA write syncs the file only after its record is appended: the sender streams the record to the replica
// while the local sync waits for the disk (sync mode's acknowledgement then costs the slower of the two sides,
// not their sum), and the range is free meanwhile. FLUSH and FUA do not sync the journal (why: journal_layer.cc);
// ExportStack::CloseClean does.
#pragma once

#include <atomic>
#include <memory>

#include "agent/block_device.h"
#include "agent/journal.h"
#include "agent/range_lock.h"

namespace cdr::agent {

class JournalLayer : public ForwardingDevice {
 public:
  JournalLayer(std::unique_ptr<BlockDevice> next, std::shared_ptr<Journal> journal)
      : ForwardingDevice(std::move(next)), journal_(std::move(journal)) {}

  Status Write(uint64_t offset, std::span<const uint8_t> data, bool fua) override;
  Status Flush() override;
  Status Trim(uint64_t offset, uint64_t length, bool fua) override;
  Status WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) override;

  bool journal_full() const { return journal_->full(); }
  // Full or broken: records are missing from here on.
  bool journal_incomplete() const { return journal_->full() || journal_->broken(); }
  Journal& journal() { return *journal_; }
  // Waits for every write, zero and trim in flight in the range to be journaled and holds new ones off while
  // held: the range's content is then the journal's up to its newest seq (the online verify hashes it so).
  RangeLock::Held HoldRange(uint64_t offset, uint64_t length) { return in_flight_.Acquire(offset, length); }

 private:
  void Record(journal::RecordKind kind, uint16_t flags, uint64_t offset, uint64_t length, std::span<const uint8_t> data);

  std::shared_ptr<Journal> journal_;
  RangeLock in_flight_;
  std::atomic<bool> reported_{false};  // log the first missing record only, not one line per write
};

}  // namespace cdr::agent
