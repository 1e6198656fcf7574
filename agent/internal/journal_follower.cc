#include "agent/internal/journal_follower.h"

namespace cdr::agent::internal {
namespace {

// Records taken from the memory tail per look at it (one lock of the journal).
constexpr size_t kBatchRecords = 64;

}  // namespace

Result<bool> JournalFollower::Next(uint64_t up_to_seq, journal::Record* record) {
  if (next_ > up_to_seq) return false;
  if (batch_pos_ == batch_.size()) {
    batch_.clear();
    batch_pos_ = 0;
    current_.reset();
    if (!journal_->ReadTail(next_, up_to_seq, kBatchRecords, &batch_)) batch_.clear();
  }
  if (batch_pos_ < batch_.size()) {
    current_ = batch_[batch_pos_++];
    *record = current_->record;
    record->data = current_->data;
    next_ = record->seq + 1;
    ++from_memory_;
    return true;
  }
  if (reader_ == nullptr || reader_next_ != next_) {
    reader_.reset();
    Result<std::unique_ptr<journal::JournalReader>> opened =
        journal::JournalReader::Open(journal_->dir(), next_, up_to_seq);
    if (!opened.ok()) return opened.status();
    reader_ = std::move(*opened);
    reader_next_ = next_;
  }
  reader_->set_up_to_seq(up_to_seq);
  Result<bool> got = reader_->Next(record);
  if (!got.ok() || !*got) return got;
  next_ = reader_next_ = record->seq + 1;
  ++from_file_;
  return true;
}

}  // namespace cdr::agent::internal
