#include "agent/export_stack.h"

#include <spdlog/spdlog.h>

#include "agent/fence_layer.h"
#include "agent/file_backend.h"
#include "journal/reader.h"

namespace cdr::agent {

Result<std::unique_ptr<ExportStack>> ExportStack::Open(const ExportConfig& config) {
  std::unique_ptr<ExportStack> stack(new ExportStack());
  stack->name_ = config.name;
  Result<std::unique_ptr<FileBackend>> file = FileBackend::Open(config.path);
  if (!file.ok()) return file.status();
  const uint64_t size = (*file)->Size();
  const std::filesystem::path dir = config.state_dir / config.name;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal("create " + dir.string() + ": " + ec.message());

  // The bitmap first: its lock keeps a second agent away from the journal too.
  Result<std::unique_ptr<DirtyBitmap>> bitmap =
      DirtyBitmap::Open(dir / "dirty.bitmap", size, config.bitmap_granularity);
  if (!bitmap.ok()) return bitmap.status();
  stack->bitmap_ = std::move(*bitmap);
  Result<std::unique_ptr<Journal>> journal = Journal::Open(dir / "journal", config.journal);
  if (!journal.ok()) return journal.status();
  stack->journal_ = std::move(*journal);

  stack->recovery_ = stack->bitmap_->recovery();
  // A torn journal tail after an agent crash (a kill -9 can cut a write(2) of a record between pages) is a
  // write whose bit the bitmap marked before the data went down, and the bitmap survived in the page cache:
  // the resync of the dirty ranges compares that block. After any other stop a cut tail means unknown writes:
  // the whole disk.
  stack->needs_repair_ =
      stack->recovery_ == BitmapRecovery::kHostCrash ||
      stack->recovery_ == BitmapRecovery::kGeometryChanged ||
      (stack->journal_->dropped_tail_bytes() > 0 && stack->recovery_ != BitmapRecovery::kAgentCrash);
  if (stack->recovery_ != BitmapRecovery::kNew && stack->recovery_ != BitmapRecovery::kClean) {
    CDR_RETURN_IF_ERROR(stack->ReplayJournalIntoBitmap());
  }
  spdlog::info("export {}: {} ({} bytes), bitmap {} ({} dirty blocks), journal seq {}..{}{}", config.name,
               config.path.string(), size, BitmapRecoveryName(stack->recovery_),
               stack->bitmap_->CountDirtyBlocks(), stack->journal_->first_seq(),
               stack->journal_->next_seq() - 1, stack->needs_repair_ ? ", needs repair" : "");

  auto journaled = std::make_unique<JournalLayer>(std::move(*file), stack->journal_);
  stack->journal_layer_ = journaled.get();
  auto marked = std::make_unique<DirtyBitmapLayer>(std::move(journaled), stack->bitmap_);
  stack->bitmap_layer_ = marked.get();
  stack->top_ = std::move(marked);
  if (config.fence)
    stack->top_ = std::make_unique<FenceLayer>(std::move(stack->top_), config.fence, config.name);
  return stack;
}

Status ExportStack::ReplayJournalIntoBitmap() {
  Result<std::unique_ptr<journal::JournalReader>> reader =
      journal::JournalReader::Open(journal_->dir(), journal_->first_seq());
  if (!reader.ok()) return reader.status();
  journal::Record record;
  while (true) {
    Result<bool> next = (*reader)->Next(&record);
    if (!next.ok()) {
      // The writer already cut a torn tail, so this is damage inside the journal: what follows is unknown.
      spdlog::error("export {}: journal replay stopped: {}", name_, next.status().ToString());
      needs_repair_ = true;
      break;
    }
    if (!*next) break;
    CDR_RETURN_IF_ERROR(bitmap_->Mark(record.offset, record.length));
    ++replayed_records_;
  }
  spdlog::warn("export {}: unclean stop ({}): replayed {} journal records into the dirty bitmap", name_,
               BitmapRecoveryName(recovery_), replayed_records_);
  return bitmap_->Sync();
}

Status ExportStack::CloseClean() {
  CDR_RETURN_IF_ERROR(top_->Flush());
  // FLUSH leaves the journal to the page cache (agent/journal_layer.cc); a clean close leaves nothing there.
  CDR_RETURN_IF_ERROR(journal_->Sync());
  return bitmap_->CloseClean();
}

}  // namespace cdr::agent
