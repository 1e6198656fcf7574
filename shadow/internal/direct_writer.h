// Writes a repair's blocks into a replica image around the page cache (O_DIRECT). A failback repairs
// production's own disk with everything the DR host wrote (hundreds of MiB of blocks that are holes or stale
// there): buffered, each block is copied into a freshly allocated page-cache page, the writer is throttled
// with everyone else's dirty pages, and the checkpoint's fdatasync then writes them all at once. Written
// directly, the disk works while the stream goes on and the checkpoint's fdatasync has only metadata left.
//
// Only block-aligned runs go this way (4 KiB offsets and lengths); anything else, or a filesystem that
// refuses O_DIRECT (tmpfs on older kernels), is left to the caller's buffered write: Write says so by
// returning false. A direct write flushes and drops the page cache of its range first, so buffered reads
// through another descriptor of the same image see the new bytes; durability still comes from fdatasync on
// any descriptor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include "common/status.h"

namespace cdr::shadow::internal {

inline constexpr uint64_t kDirectAlign = 4096;

class DirectWriter {
 public:
  explicit DirectWriter(std::filesystem::path image) : image_(std::move(image)) {}
  ~DirectWriter();
  DirectWriter(const DirectWriter&) = delete;
  DirectWriter& operator=(const DirectWriter&) = delete;

  // true: `data` is at `offset` of the image. false: nothing was written (unaligned, or O_DIRECT refused on
  // this filesystem, after which every later call says false at once). An I/O error is an error.
  Result<bool> Write(uint64_t offset, std::span<const uint8_t> data);

 private:
  struct FreeAligned {
    void operator()(uint8_t* p) const;
  };
  Status Open();

  std::filesystem::path image_;
  int fd_ = -1;
  bool refused_ = false;
  std::unique_ptr<uint8_t, FreeAligned> buffer_;  // 1 MiB, aligned: the data is copied here first
};

}  // namespace cdr::shadow::internal
