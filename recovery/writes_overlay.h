// The DR host's own writes, kept apart from the history so the recovery point stays intact: a sparse
// <state-dir>/<disk>.writes file (same offsets as the disk) plus a persisted 4 KiB-block bitmap saying which
// blocks it owns. Both survive a restart of cdr-dr-disk, so a DR host keeps its data.
//
// A block is only marked after its full content is in the writes file (a partly written block is first
// copied up from below), so a crash never exposes a block the file does not hold.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "agent/block_device.h"
#include "agent/dirty_bitmap.h"

namespace cdr::recovery {

inline constexpr uint64_t kOverlayBlock = 4096;

class WritesOverlay : public agent::ForwardingDevice {
 public:
  // Opens or creates <path> and <path>.bitmap over `below`. The bitmap file is flock'ed: one user at a time.
  static Result<std::unique_ptr<WritesOverlay>> Open(const std::filesystem::path& path,
                                                     std::unique_ptr<agent::BlockDevice> below);
  ~WritesOverlay() override;

  Status Read(uint64_t offset, std::span<uint8_t> out) override;
  Status Write(uint64_t offset, std::span<const uint8_t> data, bool fua) override;
  Status Flush() override;
  Status Trim(uint64_t offset, uint64_t length, bool fua) override;
  Status WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) override;
  // Below's allocation map, with every block the overlay owns as data (an owned block written with zeroes is
  // still data: never a false hole).
  Status Extents(uint64_t offset, uint64_t length, std::vector<agent::Extent>* out) override;

  // Flushes and marks the bitmap clean; the object must not be used afterwards.
  Status Close();
  int writes_fd() const { return fd_; }
  const agent::DirtyBitmap& owned_blocks() const { return *bitmap_; }
  agent::BlockDevice& below() { return next(); }

 private:
  WritesOverlay(std::unique_ptr<agent::BlockDevice> below, int fd, std::filesystem::path path,
                std::unique_ptr<agent::DirtyBitmap> bitmap)
      : ForwardingDevice(std::move(below)), fd_(fd), path_(std::move(path)), bitmap_(std::move(bitmap)) {}
  // Copies the block holding `offset` up from below unless the overlay owns it already.
  Status CopyUp(uint64_t offset);
  // CopyUp of the blocks only partly covered by [offset, offset + length).
  Status CopyUpEdges(uint64_t offset, uint64_t length);

  int fd_;
  std::filesystem::path path_;
  std::unique_ptr<agent::DirtyBitmap> bitmap_;
  std::mutex write_mutex_;  // a copy-up and the write that needed it must not interleave with another write
  bool closed_ = false;
};

}  // namespace cdr::recovery
