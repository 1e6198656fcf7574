// Reads a protected disk for the full sync, from a cursor to the end, one chunk at a time: unallocated space
// is skipped with SEEK_DATA/SEEK_HOLE (without reading it) and all-zero blocks inside allocated space are
// dropped, so only data is sent. The replica treats everything skipped as zeroes (docs/wire-protocol.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "common/status.h"

namespace cdr::agent {

struct DataRun {
  uint64_t offset = 0;
  std::span<const uint8_t> data;  // valid until the next NextChunk()
};

class FullSyncReader {
 public:
  static Result<std::unique_ptr<FullSyncReader>> Open(const std::filesystem::path& path, uint64_t disk_size,
                                                      uint32_t block_size, uint64_t chunk_bytes);
  ~FullSyncReader();
  FullSyncReader(const FullSyncReader&) = delete;
  FullSyncReader& operator=(const FullSyncReader&) = delete;

  // Reads the next chunk at or after *cursor, fills *runs with its non-zero runs (ascending) and moves
  // *cursor to the chunk's end: everything before the new cursor is either in *runs or zero. false when
  // *cursor is already at the end of the disk.
  Result<bool> NextChunk(uint64_t* cursor, std::vector<DataRun>* runs);

 private:
  FullSyncReader(int fd, uint64_t disk_size, uint32_t block_size, uint64_t chunk_bytes)
      : fd_(fd), disk_size_(disk_size), block_size_(block_size), buffer_(chunk_bytes) {}

  int fd_;
  uint64_t disk_size_;
  uint32_t block_size_;
  std::vector<uint8_t> buffer_;
};

}  // namespace cdr::agent
