#include "agent/journal_layer.h"

#include <spdlog/spdlog.h>

namespace cdr::agent {

Status JournalLayer::Record(journal::RecordKind kind, uint16_t flags, uint64_t offset, uint64_t length,
                            std::span<const uint8_t> data) {
  Result<uint64_t> seq = journal_->Append(kind, flags, offset, length, data);
  if (!seq.ok()) {
    if (!reported_.exchange(true)) {
      spdlog::error("journal {}: not recording writes any more ({}); the dirty bitmap keeps the changed blocks",
                    journal_->dir().string(), seq.status().ToString());
    }
    return Status::Ok();
  }
  // FUA promises the write survives a host crash, and the replica can only get it from the journal.
  return (flags & journal::kRecordFlagFua) ? journal_->Sync() : Status::Ok();
}

Status JournalLayer::Write(uint64_t offset, std::span<const uint8_t> data, bool fua) {
  RangeLock::Held held = in_flight_.Acquire(offset, data.size());
  CDR_RETURN_IF_ERROR(next().Write(offset, data, fua));
  return Record(journal::RecordKind::kWrite, fua ? journal::kRecordFlagFua : 0, offset, data.size(), data);
}

Status JournalLayer::Flush() {
  CDR_RETURN_IF_ERROR(next().Flush());
  return journal_->Sync();
}

Status JournalLayer::Trim(uint64_t offset, uint64_t length, bool fua) {
  RangeLock::Held held = in_flight_.Acquire(offset, length);
  CDR_RETURN_IF_ERROR(next().Trim(offset, length, fua));
  return Record(journal::RecordKind::kTrim, fua ? journal::kRecordFlagFua : 0, offset, length, {});
}

Status JournalLayer::WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) {
  RangeLock::Held held = in_flight_.Acquire(offset, length);
  CDR_RETURN_IF_ERROR(next().WriteZeroes(offset, length, may_punch, fua));
  const uint16_t flags = (fua ? journal::kRecordFlagFua : 0) | (may_punch ? 0 : journal::kRecordFlagNoHole);
  return Record(journal::RecordKind::kZero, flags, offset, length, {});
}

}  // namespace cdr::agent
