#include "agent/journal_backlog.h"

#include "journal/reader.h"

namespace cdr::agent {

Result<Backlog> JournalBacklog::Measure(uint64_t acked_seq, uint64_t newest_seq) {
  if (acked_seq != acked_seq_ || newest_seq < counted_to_seq_) {
    acked_seq_ = acked_seq;
    counted_to_seq_ = acked_seq;
    backlog_ = {};
  }
  if (newest_seq <= counted_to_seq_) return backlog_;
  auto reader = journal::JournalReader::Open(dir_, counted_to_seq_ + 1, newest_seq);
  if (!reader.ok()) return reader.status();
  journal::Record record;
  while (true) {
    Result<bool> more = (*reader)->Next(&record);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (backlog_.writes == 0) backlog_.oldest_time_ns = record.time_ns;
    ++backlog_.writes;
    backlog_.bytes += record.length;
    counted_to_seq_ = record.seq;
  }
  return backlog_;
}

}  // namespace cdr::agent
