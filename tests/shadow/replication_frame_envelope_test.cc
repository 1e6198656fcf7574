// The zero-copy send path of full-sync extents (an envelope around payload pieces, sent with sendmsg) and the
// receive path that reads payloads into a reused buffer, over a real socket pair.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <thread>
#include <vector>

#include "common/wire_frame.h"

namespace cdr::wire {
namespace {

std::vector<uint8_t> RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

std::vector<uint8_t> Concat(const FrameEnvelope& e, const std::vector<std::vector<uint8_t>>& pieces) {
  std::vector<uint8_t> out(e.header, e.header + kFrameHeaderSize);
  for (const auto& p : pieces) out.insert(out.end(), p.begin(), p.end());
  out.insert(out.end(), e.trailer, e.trailer + kFrameTrailerSize);
  return out;
}

TEST(FrameEnvelopeTest, SameBytesAsAnUncompressedEncodedFrame) {
  const std::vector<uint8_t> data = RandomBytes(100'000, 1);
  const std::vector<uint8_t> header = EncodeFullSyncExtent({8192, 8192 + data.size(), 3, {}});
  const std::span<const uint8_t> pieces[] = {header, data};
  const FrameEnvelope envelope = EncodeFrameEnvelope(FrameType::kFullSyncExtent, 9, pieces);
  EXPECT_EQ(Concat(envelope, {header, data}),
            EncodeFrame(FrameType::kFullSyncExtent, 9,
                        EncodeFullSyncExtent({8192, 8192 + data.size(), 3, data}), false));
}

// A repair's blocks appended to a batch as pieces (run headers, then each run's data where it lies): the same
// bytes as the frame of the encoded payload, decoding to the same runs, zero runs without data.
TEST(FrameEnvelopeTest, RepairBlocksAppendedAsPiecesAreTheEncodedFrame) {
  const std::vector<uint8_t> a = RandomBytes(8192, 2), b = RandomBytes(4096, 3);
  RepairBlocks m{1 << 20, 2 << 20, {{(1 << 20) + 4096, 8192, false, a}, {(1 << 20) + 65536, 4096, true, {}},
                                    {(1 << 20) + 131072, 4096, false, b}}};
  for (const RepairBlocks& blocks : {m, RepairBlocks{0, 1 << 20, {}}}) {
    std::vector<uint8_t> batch = {7, 7, 7};  // what the batch held before
    std::vector<uint8_t> heads;
    AppendPlainFrame(FrameType::kRepairBlocks, 0, RepairBlocksPieces(blocks, &heads), &batch);
    std::vector<uint8_t> expected = {7, 7, 7};
    const std::vector<uint8_t> frame = EncodeFrame(FrameType::kRepairBlocks, 0, EncodeRepairBlocks(blocks), false);
    expected.insert(expected.end(), frame.begin(), frame.end());
    EXPECT_EQ(batch, expected);
    size_t consumed = 0;
    Result<Frame> decoded = DecodeFrame(std::span<const uint8_t>(batch).subspan(3), &consumed);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    Result<RepairBlocks> runs = DecodeRepairBlocks(decoded->payload);
    ASSERT_TRUE(runs.ok()) << runs.status().ToString();
    ASSERT_EQ(runs->runs.size(), blocks.runs.size());
    for (size_t i = 0; i < blocks.runs.size(); ++i) {
      EXPECT_EQ(runs->runs[i].offset, blocks.runs[i].offset);
      EXPECT_EQ(runs->runs[i].zero, blocks.runs[i].zero);
      EXPECT_TRUE(std::ranges::equal(runs->runs[i].data, blocks.runs[i].data)) << i;
    }
  }
}

TEST(FrameEnvelopeTest, SentWithWriteVecAllAndReadBackIntoOneReusedFrame) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  // Sizes that grow and shrink, and a compressible payload between them, all read into the same Frame.
  const std::vector<size_t> sizes = {3 << 20, 4096, 1 << 20, 0, 2 << 20};
  std::vector<std::vector<uint8_t>> sent;
  for (size_t i = 0; i < sizes.size(); ++i)
    sent.push_back(RandomBytes(sizes[i], static_cast<unsigned>(i + 10)));
  std::thread writer([&] {
    for (size_t i = 0; i < sizes.size(); ++i) {
      std::vector<uint8_t>& data = sent[i];
      std::vector<uint8_t> header = EncodeFullSyncExtent({0, data.size(), 1, {}});
      const std::span<const uint8_t> pieces[] = {header, data};
      FrameEnvelope e = EncodeFrameEnvelope(FrameType::kFullSyncExtent, 0, pieces);
      iovec iov[] = {{e.header, kFrameHeaderSize},
                     {header.data(), header.size()},
                     {data.data(), data.size()},
                     {e.trailer, kFrameTrailerSize}};
      EXPECT_TRUE(WriteVecAll(fds[0], iov, 4).ok());
      std::vector<uint8_t> zeros(64 << 10);
      EXPECT_TRUE(
          WriteAll(fds[0], EncodeFrame(FrameType::kData, i + 1,
                                       EncodeDataRecord({journal::RecordKind::kZero, 0, i + 1, 0, 0, zeros.size(), 0, {}}), true))
              .ok());
    }
  });
  Frame frame;
  for (size_t i = 0; i < sizes.size(); ++i) {
    ASSERT_TRUE(ReadFrame(fds[1], &frame).ok());
    ASSERT_EQ(frame.type, FrameType::kFullSyncExtent);
    Result<FullSyncExtent> e = DecodeFullSyncExtent(frame.payload);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    ASSERT_TRUE(std::equal(e->data.begin(), e->data.end(), sent[i].begin(), sent[i].end())) << "frame " << i;
    ASSERT_TRUE(ReadFrame(fds[1], &frame).ok());
    ASSERT_EQ(frame.type, FrameType::kData);
    EXPECT_EQ(frame.seq, i + 1);
    EXPECT_TRUE(DecodeDataRecord(frame.payload).ok());
  }
  writer.join();
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(FrameEnvelopeTest, ACorruptPieceIsDataLoss) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  std::vector<uint8_t> data = RandomBytes(4096, 2);
  std::vector<uint8_t> header = EncodeFullSyncExtent({0, data.size(), 1, {}});
  const std::span<const uint8_t> pieces[] = {header, data};
  FrameEnvelope e = EncodeFrameEnvelope(FrameType::kFullSyncExtent, 0, pieces);
  data[100] ^= 1;  // changed after the checksum was taken
  iovec iov[] = {{e.header, kFrameHeaderSize},
                 {header.data(), header.size()},
                 {data.data(), data.size()},
                 {e.trailer, kFrameTrailerSize}};
  ASSERT_TRUE(WriteVecAll(fds[0], iov, 4).ok());
  Frame frame;
  EXPECT_EQ(ReadFrame(fds[1], &frame).code(), StatusCode::kDataLoss);
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace cdr::wire
