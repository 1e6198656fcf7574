// One protected disk: its write pipeline (bitmap → journal → file, top to bottom) and the state kept for it in
// STATE_DIR/NAME/ (journal/ segments and dirty.bitmap). Opening recovers from an unclean stop: the retained
// journal is replayed into the bitmap, so the bitmap covers every journaled write even if its own file missed it.
//
//   NBD connection ──► FenceLayer ──► DirtyBitmapLayer ──► JournalLayer ──► FileBackend ──► disk file / block device
//                      (refuse writes   (mark, then forward)  (forward, then append)
//                       while fenced)
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "agent/dirty_bitmap.h"
#include "agent/dirty_bitmap_layer.h"
#include "agent/journal.h"
#include "agent/journal_layer.h"
#include "agent/write_fence.h"

namespace cdr::agent {

struct ExportConfig {
  std::string name;
  std::filesystem::path path;       // the disk: a file or a block device
  std::filesystem::path state_dir;  // the agent's state root; this export uses state_dir / name
  JournalOptions journal;
  uint64_t bitmap_granularity = 64 * 1024;
  // The agent's fence, shared by all its exports; none: the export is never fenced (tools and tests).
  std::shared_ptr<const WriteFence> fence;
};

class ExportStack {
 public:
  static Result<std::unique_ptr<ExportStack>> Open(const ExportConfig& config);

  const std::string& name() const { return name_; }
  BlockDevice* device() { return top_.get(); }
  Journal& journal() { return *journal_; }
  JournalLayer& journal_layer() { return *journal_layer_; }
  DirtyBitmap& bitmap() { return *bitmap_; }
  DirtyBitmapLayer& bitmap_layer() { return *bitmap_layer_; }
  BitmapRecovery recovery() const { return recovery_; }
  uint64_t replayed_records() const { return replayed_records_; }
  // True when the disk must be compared with its replica: a host crash, a geometry change, or a journal that
  // was cut or could not be replayed completely.
  bool needs_repair() const { return needs_repair_; }

  // Orderly shutdown, after every connection is closed: flush the whole stack and mark the bitmap clean.
  Status CloseClean();

 private:
  ExportStack() = default;
  Status ReplayJournalIntoBitmap();

  std::string name_;
  std::shared_ptr<Journal> journal_;
  std::shared_ptr<DirtyBitmap> bitmap_;
  std::unique_ptr<BlockDevice> top_;
  JournalLayer* journal_layer_ = nullptr;  // inside top_
  DirtyBitmapLayer* bitmap_layer_ = nullptr;  // inside top_
  BitmapRecovery recovery_ = BitmapRecovery::kNew;
  uint64_t replayed_records_ = 0;
  bool needs_repair_ = false;
};

}  // namespace cdr::agent
