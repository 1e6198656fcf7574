#include "agent/internal/compression_probe.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace cdr::agent::internal {
namespace {

TEST(CompressionProbeTest, RandomDataIsNotWorthCompressingTextIs) {
  CompressionProbe probe;
  std::mt19937 rng(3);
  std::vector<uint8_t> random(1 << 20);
  for (auto& b : random) b = static_cast<uint8_t>(rng());
  EXPECT_FALSE(probe.WorthCompressing(random));

  std::string text;
  while (text.size() < (1 << 20)) text += "line " + std::to_string(text.size() % 977) + " of a log file\n";
  EXPECT_TRUE(probe.WorthCompressing({reinterpret_cast<const uint8_t*>(text.data()), text.size()}));
  // Tiny extents are below the frame encoder's own threshold.
  EXPECT_FALSE(probe.WorthCompressing({reinterpret_cast<const uint8_t*>(text.data()), 100}));
}

TEST(CompressionProbeTest, TheSampleIsTakenFromTheMiddle) {
  CompressionProbe probe;
  std::mt19937 rng(4);
  // A compressible header in front of an incompressible body: the body decides.
  std::vector<uint8_t> extent(1 << 20);
  for (size_t i = 128 << 10; i < extent.size(); ++i) extent[i] = static_cast<uint8_t>(rng());
  EXPECT_FALSE(probe.WorthCompressing(extent));
}

}  // namespace
}  // namespace cdr::agent::internal
