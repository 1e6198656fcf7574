// Decides whether a full-sync extent is worth a zstd attempt by compressing a small sample of it first. Disk
// data is mostly either compressible (text, zero-ish metadata) or not at all (media, encrypted or already
// compressed files); compressing a whole incompressible MiB only to throw the result away cost the full sync
// about a tenth of the agent's CPU, while a 64 KiB sample costs a sixteenth of that.
#pragma once

#include <zstd.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace cdr::agent::internal {

class CompressionProbe {
 public:
  CompressionProbe();
  // true when a sample of `data` shrinks by at least an eighth with zstd level 1.
  bool WorthCompressing(std::span<const uint8_t> data);

 private:
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> context_;
  std::vector<uint8_t> scratch_;
};

}  // namespace cdr::agent::internal
