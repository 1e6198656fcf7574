#include "agent/internal/compression_probe.h"

#include <algorithm>

namespace cdr::agent::internal {
namespace {

constexpr size_t kSampleBytes = 64 << 10;

}  // namespace

CompressionProbe::CompressionProbe()
    : context_(ZSTD_createCCtx(), ZSTD_freeCCtx), scratch_(ZSTD_compressBound(kSampleBytes)) {}

bool CompressionProbe::WorthCompressing(std::span<const uint8_t> data) {
  // Below EncodeFrame's own threshold compression is never tried; small extents are cheap to try whole.
  if (data.size() < 256) return false;
  // The middle of the extent: its start is often a file header that compresses unlike the body.
  const size_t length = std::min(data.size(), kSampleBytes);
  const std::span<const uint8_t> sample = data.subspan((data.size() - length) / 2, length);
  const size_t n =
      ZSTD_compressCCtx(context_.get(), scratch_.data(), scratch_.size(), sample.data(), sample.size(), 1);
  return !ZSTD_isError(n) && n <= sample.size() - sample.size() / 8;
}

}  // namespace cdr::agent::internal
