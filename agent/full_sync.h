// Reads a protected disk for the full sync, from a cursor to the end, one chunk at a time: unallocated space
// is skipped with SEEK_DATA/SEEK_HOLE (without reading it) and all-zero blocks inside allocated space are
// dropped, so only data is sent. The replica treats everything skipped as zeroes (docs/wire-protocol.md).
//
// A thread of its own reads ahead of the caller: while one chunk is encrypted and sent, the next ones (up to
// kChunksAhead) are read and scanned for zero blocks, so the disk read is not on the sending thread's path.
// Reading a block earlier than it is sent changes nothing: every write after the sync's base seq is journaled
// and streamed after the sync, whenever the block was read.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "common/status.h"

namespace cdr::agent {

struct DataRun {
  uint64_t offset = 0;
  std::span<const uint8_t> data;  // valid until the next NextChunk()
};

class FullSyncReader {
 public:
  // Chunks read and scanned ahead of the one handed out; each holds a buffer of chunk_bytes.
  static constexpr size_t kChunksAhead = 3;

  static Result<std::unique_ptr<FullSyncReader>> Open(const std::filesystem::path& path, uint64_t disk_size,
                                                      uint32_t block_size, uint64_t chunk_bytes);
  // Stops the read-ahead thread (after the read it is in).
  ~FullSyncReader();
  FullSyncReader(const FullSyncReader&) = delete;
  FullSyncReader& operator=(const FullSyncReader&) = delete;

  // Reads the next chunk at or after *cursor, fills *runs with its non-zero runs (ascending) and moves
  // *cursor to the chunk's end: everything before the new cursor is either in *runs or zero. false when
  // *cursor is already at the end of the disk. Reading ahead follows the cursor this returned; any other
  // cursor starts it again there.
  Result<bool> NextChunk(uint64_t* cursor, std::vector<DataRun>* runs);

 private:
  struct Chunk {
    uint64_t start = 0;  // the cursor it was read at
    uint64_t end = 0;    // the cursor after it
    Status status;
    std::vector<uint8_t> buffer;
    std::vector<DataRun> runs;  // into buffer
  };

  FullSyncReader(int fd, uint64_t disk_size, uint32_t block_size, uint64_t chunk_bytes);
  // The chunk at `cursor` (< disk size) into *chunk: its data runs and its end.
  Status ReadChunk(uint64_t cursor, Chunk* chunk) const;
  void ReadAhead();

  const int fd_;
  const uint64_t disk_size_;
  const uint32_t block_size_;
  const uint64_t chunk_bytes_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Chunk>> ready_;  // read ahead, in cursor order
  std::vector<std::unique_ptr<Chunk>> spare_;
  std::unique_ptr<Chunk> handed_out_;        // its runs are the caller's until the next NextChunk
  std::optional<uint64_t> expected_cursor_;  // where the read-ahead continues; none: not started
  uint64_t read_cursor_ = 0;                 // the read-ahead thread's next chunk
  uint64_t generation_ = 0;                  // a restart drops what a read in progress brings
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cdr::agent
