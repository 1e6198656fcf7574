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

// FLUSH and FUA make the disk file durable: that is the guest's data. The journal is not synced with it: it
// matters across an agent crash, which the page cache survives, and after a host crash the disk is repaired
// against the replica whatever the journal holds (its bitmap then reads `host_crash`, agent/export_stack.cc),
// so a synced journal would buy nothing and cost a second fdatasync per FLUSH. An orderly close syncs it.
Status JournalLayer::Flush() { return next().Flush(); }

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
