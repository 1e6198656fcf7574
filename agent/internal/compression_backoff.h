// Decides whether the next realtime record is worth a zstd attempt. Realtime records are small and come one
// by one, so there is no sample to probe ahead (CompressionProbe is for full-sync extents): the records just
// sent are the sample. A guest that writes incompressible data (random, encrypted, already compressed) made
// the sender spend about 40 % of the agent's CPU in zstd at 4 KiB iodepth 16 for a few percent of bytes.
// A record pays off when it shrinks by at least an eighth (CompressionProbe's bar for full-sync extents).
//
//   try ──paid off──► try the next one too
//    │
//    └─missed──► skip the next `skip` records, then try once more; skip doubles per miss in a row, up to
//                kMaxSkip, and falls back to 0 at the first record that paid off again
#pragma once

#include <cstddef>
#include <cstdint>

namespace cdr::agent::internal {

class CompressionBackoff {
 public:
  static constexpr uint32_t kMaxSkip = 64;

  // true: compress this record (and report its sizes with Tried()).
  bool ShouldTry() {
    if (left_ == 0) return true;
    --left_;
    return false;
  }
  void Tried(size_t raw_bytes, size_t sent_bytes) {
    const bool paid_off = sent_bytes <= raw_bytes - raw_bytes / 8;
    skip_ = paid_off ? 0 : (skip_ == 0 ? 1 : (skip_ * 2 > kMaxSkip ? kMaxSkip : skip_ * 2));
    left_ = skip_;
  }

 private:
  uint32_t skip_ = 0;  // records skipped after the latest miss
  uint32_t left_ = 0;  // of those, still to skip
};

}  // namespace cdr::agent::internal
