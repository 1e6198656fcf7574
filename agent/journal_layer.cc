#include "agent/journal_layer.h"

#include <spdlog/spdlog.h>

namespace cdr::agent {

void JournalLayer::Record(journal::RecordKind kind, uint16_t flags, uint64_t offset, uint64_t length,
                          std::span<const uint8_t> data) {
  Result<uint64_t> seq = journal_->Append(kind, flags, offset, length, data);
  if (!seq.ok() && !reported_.exchange(true)) {
    spdlog::error("journal {}: not recording writes any more ({}); the dirty bitmap keeps the changed blocks",
                  journal_->dir().string(), seq.status().ToString());
  }
}

// FUA promises the write survives a host crash, and the replica can only get it from the journal: both files
// are synced after the record is appended (which already woke the sender). One after the other: on ext4 the
// file's fdatasync commits the journal file's metadata too, so the second sync is cheap; side by side, both
// waited for a commit of their own and a FLUSH every 16 writes ran at half the IOPS.
Status JournalLayer::Flush() {
  CDR_RETURN_IF_ERROR(next().Flush());
  return journal_->Sync();
}

Status JournalLayer::Write(uint64_t offset, std::span<const uint8_t> data, bool fua) {
  {
    RangeLock::Held held = in_flight_.Acquire(offset, data.size());
    CDR_RETURN_IF_ERROR(next().Write(offset, data, /*fua=*/false));
    Record(journal::RecordKind::kWrite, fua ? journal::kRecordFlagFua : 0, offset, data.size(), data);
  }
  return fua ? Flush() : Status::Ok();
}

Status JournalLayer::Trim(uint64_t offset, uint64_t length, bool fua) {
  {
    RangeLock::Held held = in_flight_.Acquire(offset, length);
    CDR_RETURN_IF_ERROR(next().Trim(offset, length, /*fua=*/false));
    Record(journal::RecordKind::kTrim, fua ? journal::kRecordFlagFua : 0, offset, length, {});
  }
  return fua ? Flush() : Status::Ok();
}

Status JournalLayer::WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) {
  {
    RangeLock::Held held = in_flight_.Acquire(offset, length);
    CDR_RETURN_IF_ERROR(next().WriteZeroes(offset, length, may_punch, /*fua=*/false));
    const uint16_t flags = (fua ? journal::kRecordFlagFua : 0) | (may_punch ? 0 : journal::kRecordFlagNoHole);
    Record(journal::RecordKind::kZero, flags, offset, length, {});
  }
  return fua ? Flush() : Status::Ok();
}

}  // namespace cdr::agent
