#include "common/wire_frame.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xxhash.h>

#include <string>
#include <vector>

namespace cdr::wire {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST(WireFrameTest, RoundTripsEveryMessage) {
  Hello hello{"web-1", "disk0", 1 << 30, 4096, 77, 12};
  size_t consumed = 0;
  std::vector<uint8_t> encoded = EncodeFrame(FrameType::kHello, 5, EncodeHello(hello), false);
  Result<Frame> f = DecodeFrame(encoded, &consumed);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(consumed, encoded.size());
  EXPECT_EQ(f->type, FrameType::kHello);
  EXPECT_EQ(f->seq, 5u);
  Result<Hello> h = DecodeHello(f->payload);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->server_id, "web-1");
  EXPECT_EQ(h->disk, "disk0");
  EXPECT_EQ(h->disk_size, 1u << 30);
  EXPECT_EQ(h->block_size, 4096u);
  EXPECT_EQ(h->epoch, 77u);
  EXPECT_EQ(h->resume_from_seq, 12u);

  Result<HelloAck> ack = DecodeHelloAck(EncodeHelloAck({false, "stale", 9, true, 100, 3}));
  ASSERT_TRUE(ack.ok());
  EXPECT_FALSE(ack->accepted);
  EXPECT_EQ(ack->reason, "stale");
  EXPECT_EQ(ack->applied_seq, 9u);
  EXPECT_TRUE(ack->full_sync_done);
  EXPECT_EQ(ack->full_sync_cursor, 100u);
  EXPECT_EQ(ack->full_sync_base_seq, 3u);

  const std::vector<uint8_t> data = Bytes("0123456789abcdef");
  std::vector<uint8_t> payload = EncodeDataRecord({journal::RecordKind::kWrite, 1, 42, 1000, 4096, data.size(), 0xabcdef, data});
  Result<DataRecord> d = DecodeDataRecord(payload);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->seq, 42u);
  EXPECT_EQ(d->time_ns, 1000u);
  EXPECT_EQ(d->offset, 4096u);
  EXPECT_EQ(d->checksum, 0xabcdefu);
  EXPECT_EQ(std::vector<uint8_t>(d->data.begin(), d->data.end()), data);
  EXPECT_FALSE(DecodeDataRecord(EncodeDataRecord({journal::RecordKind::kWrite, 0, 1, 0, 0, 99, 0, data})).ok());  // length != data

  payload = EncodeFullSyncExtent({8192, 8192 + data.size(), 7, data});
  Result<FullSyncExtent> e = DecodeFullSyncExtent(payload);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->offset, 8192u);
  EXPECT_EQ(e->base_seq, 7u);
  EXPECT_EQ(e->data.size(), data.size());

  Result<Ack> a = DecodeAck(EncodeAck({11, 22, true}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->applied_seq, 11u);
  EXPECT_EQ(a->full_sync_cursor, 22u);
  EXPECT_TRUE(a->full_sync_done);
  EXPECT_EQ(*DecodeHeartbeat(EncodeHeartbeat(123)), 123u);
  Result<ErrorMessage> err = DecodeError(EncodeError({7, "boom"}));
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->message, "boom");
  EXPECT_FALSE(DecodeAck(Bytes("short")).ok());
}

TEST(WireFrameTest, RoundTripsTheRepairMessagesAndHandshakeFields) {
  Hello hello{"web-1", "disk0", 1 << 20, 4096, 7, 0, kHelloRepair};
  EXPECT_EQ(DecodeHello(EncodeHello(hello))->flags, kHelloRepair);
  HelloAck ack{true, "", 9, true, 0, 0, Refusal::kDiskSizeChanged, true, 1 << 20, 8};
  Result<HelloAck> a = DecodeHelloAck(EncodeHelloAck(ack));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->refusal, Refusal::kDiskSizeChanged);
  EXPECT_TRUE(a->repair_in_progress);
  EXPECT_EQ(a->repair_cursor, 1u << 20);
  EXPECT_EQ(a->repair_base_seq, 8u);
  Result<Ack> plain = DecodeAck(EncodeAck({1, 2, true, true, 3}));
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->repair_in_progress);
  EXPECT_EQ(plain->repair_cursor, 3u);

  RepairRanges ranges{12, {{0, 4096, {1, 2}}, {4096, 100, {3, 4}}}};
  Result<RepairRanges> r = DecodeRepairRanges(EncodeRepairRanges(ranges));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->base_seq, 12u);
  ASSERT_EQ(r->ranges.size(), 2u);
  EXPECT_EQ(r->ranges[1].offset, 4096u);
  EXPECT_EQ(r->ranges[1].hash, (Hash128{3, 4}));
  ranges.ranges[1].offset = 8192;  // a gap between ranges
  EXPECT_FALSE(DecodeRepairRanges(EncodeRepairRanges(ranges)).ok());

  Result<RepairBlockHashes> h = DecodeRepairBlockHashes(EncodeRepairBlockHashes({4096, 512, {{5, 6}, {7, 8}}}));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->block_size, 512u);
  EXPECT_EQ(h->hashes, (std::vector<Hash128>{{5, 6}, {7, 8}}));

  const std::vector<uint8_t> data = Bytes("block data");
  RepairBlocks blocks{0, 8192, {{0, static_cast<uint32_t>(data.size()), false, data}, {4096, 4096, true, {}}}};
  std::vector<uint8_t> payload = EncodeRepairBlocks(blocks);
  Result<RepairBlocks> b = DecodeRepairBlocks(payload);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->runs.size(), 2u);
  EXPECT_EQ(std::vector<uint8_t>(b->runs[0].data.begin(), b->runs[0].data.end()), data);
  EXPECT_TRUE(b->runs[1].zero);
  EXPECT_TRUE(b->runs[1].data.empty());
  payload.pop_back();  // truncated data
  EXPECT_FALSE(DecodeRepairBlocks(payload).ok());
  blocks.end = 4096;  // a run past its range
  EXPECT_FALSE(DecodeRepairBlocks(EncodeRepairBlocks(blocks)).ok());
  EXPECT_EQ(DecodeRepairEnd(EncodeRepairEnd({77}))->base_seq, 77u);
}

TEST(WireFrameTest, RepairSendCarriesItsBaseSeqAndBlocksAndItsPiecesAreTheSameBytes) {
  const std::vector<uint8_t> data = Bytes("uncompared block data");
  RepairSend send{41,
                  {1 << 20,
                   2 << 20,
                   {{(1 << 20) + 4096, static_cast<uint32_t>(data.size()), false, data},
                    {(2 << 20) - 4096, 4096, true, {}}}}};
  const std::vector<uint8_t> payload = EncodeRepairSend(send);
  std::vector<uint8_t> heads;
  std::vector<uint8_t> joined;
  for (std::span<const uint8_t> piece : RepairSendPieces(send, &heads))
    joined.insert(joined.end(), piece.begin(), piece.end());
  EXPECT_EQ(joined, payload);
  Result<RepairSend> m = DecodeRepairSend(payload);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->base_seq, 41u);
  EXPECT_EQ(m->blocks.offset, 1u << 20);
  EXPECT_EQ(m->blocks.end, 2u << 20);
  ASSERT_EQ(m->blocks.runs.size(), 2u);
  EXPECT_EQ(std::vector<uint8_t>(m->blocks.runs[0].data.begin(), m->blocks.runs[0].data.end()), data);
  EXPECT_TRUE(m->blocks.runs[1].zero);
  EXPECT_FALSE(DecodeRepairSend(std::span(payload).first(7)).ok());
  // A run whose end wraps around past 2^64 is outside its range, not inside it.
  send.blocks.runs = {{~uint64_t{0} - 100, 4096, true, {}}};
  send.blocks.end = ~uint64_t{0};
  EXPECT_FALSE(DecodeRepairSend(EncodeRepairSend(send)).ok());
}

TEST(WireFrameTest, RoundTripsTheOnlineVerifyMessagesAndRefusesInconsistentOnes) {
  VerifyRange probe{9, 1234, 8192, 6000, 4096, {{1, 2}, {3, 4}}};
  Result<VerifyRange> p = DecodeVerifyRange(EncodeVerifyRange(probe));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->id, 9u);
  EXPECT_EQ(p->seq, 1234u);
  EXPECT_EQ(p->offset, 8192u);
  EXPECT_EQ(p->length, 6000u);
  EXPECT_EQ(p->hashes, probe.hashes);
  probe.length = 9000;  // three blocks' worth with two hashes
  EXPECT_FALSE(DecodeVerifyRange(EncodeVerifyRange(probe)).ok());
  probe.length = 0;
  EXPECT_FALSE(DecodeVerifyRange(EncodeVerifyRange(probe)).ok());
  std::vector<uint8_t> short_payload = EncodeVerifyRange({1, 1, 0, 4096, 4096, {{1, 1}}});
  short_payload.pop_back();
  EXPECT_FALSE(DecodeVerifyRange(short_payload).ok());

  VerifyResult result{9, 8192, 6000, VerifyOutcome::kDiffers, 1, 12288, ""};
  Result<VerifyResult> r = DecodeVerifyResult(EncodeVerifyResult(result));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outcome, VerifyOutcome::kDiffers);
  EXPECT_EQ(r->differing_blocks, 1u);
  EXPECT_EQ(r->first_differing_offset, 12288u);
  result.outcome = VerifyOutcome::kSkipped;
  result.reason = "a repair is in progress";
  EXPECT_EQ(DecodeVerifyResult(EncodeVerifyResult(result))->reason, "a repair is in progress");
  std::vector<uint8_t> bad = EncodeVerifyResult(result);
  bad[20] = 9;  // the outcome's low byte: no such outcome
  EXPECT_FALSE(DecodeVerifyResult(bad).ok());
  EXPECT_STREQ(VerifyOutcomeName(VerifyOutcome::kSame), "same");
}

TEST(WireFrameTest, FlippedHeaderByteIsDataLoss) {
  std::vector<uint8_t> encoded = EncodeFrame(FrameType::kAck, 3, EncodeAck({3, 0, true}), false);
  for (size_t i = 0; i < kFrameHeaderSize; ++i) {
    std::vector<uint8_t> bad = encoded;
    bad[i] ^= 0x10;
    size_t consumed = 0;
    Result<Frame> f = DecodeFrame(bad, &consumed);
    ASSERT_FALSE(f.ok()) << "byte " << i;
    EXPECT_EQ(f.status().code(), StatusCode::kDataLoss) << "byte " << i << ": " << f.status().ToString();
  }
}

// Issue #13 finding 8: a header whose reserved field is set (with a checksum that matches) was accepted.
TEST(WireFrameTest, AReservedFieldThatIsNotZeroIsDataLossEvenWithAGoodChecksum) {
  std::vector<uint8_t> encoded = EncodeFrame(FrameType::kAck, 3, EncodeAck({3, 0, true}), false);
  encoded[10] = 1;
  const auto checksum = static_cast<uint32_t>(XXH3_64bits(encoded.data(), 28));
  for (int i = 0; i < 4; ++i) encoded[28 + i] = static_cast<uint8_t>(checksum >> (8 * i));
  size_t consumed = 0;
  Result<Frame> f = DecodeFrame(encoded, &consumed);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(f.status().message().find("reserved"), std::string::npos) << f.status().ToString();
}

TEST(WireFrameTest, FlippedPayloadOrTrailerByteIsDataLoss) {
  const std::vector<uint8_t> data(1000, 0x5a);
  for (bool compress : {false, true}) {
    std::vector<uint8_t> encoded = EncodeFrame(FrameType::kData, 1, data, compress);
    for (size_t i = kFrameHeaderSize; i < encoded.size(); ++i) {
      std::vector<uint8_t> bad = encoded;
      bad[i] ^= 0x01;
      size_t consumed = 0;
      Result<Frame> f = DecodeFrame(bad, &consumed);
      ASSERT_FALSE(f.ok()) << "byte " << i;
      EXPECT_EQ(f.status().code(), StatusCode::kDataLoss) << "byte " << i;
    }
  }
}

TEST(WireFrameTest, TruncatedInputIsNotAFrame) {
  std::vector<uint8_t> encoded = EncodeFrame(FrameType::kData, 1, Bytes("some payload"), false);
  for (size_t n = 0; n < encoded.size(); ++n) {
    size_t consumed = 0;
    Result<Frame> f = DecodeFrame(std::span(encoded).first(n), &consumed);
    ASSERT_FALSE(f.ok()) << n;
    EXPECT_EQ(f.status().code(), StatusCode::kUnavailable) << n;
  }
}

TEST(WireFrameTest, ZstdRoundTripIsSmallerAndFlagged) {
  std::vector<uint8_t> data(256 * 1024);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i / 512);
  std::vector<uint8_t> encoded = EncodeFrame(FrameType::kFullSyncExtent, 9, data, true);
  EXPECT_LT(encoded.size(), data.size() / 4);
  EXPECT_EQ(encoded[8] & kFlagZstd, kFlagZstd);
  size_t consumed = 0;
  Result<Frame> f = DecodeFrame(encoded, &consumed);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->payload, data);
  // Incompressible data is sent as is.
  std::vector<uint8_t> random(4096);
  uint64_t x = 88172645463325252ull;
  for (auto& b : random) b = static_cast<uint8_t>((x ^= x << 13, x ^= x >> 7, x ^= x << 17));
  encoded = EncodeFrame(FrameType::kData, 1, random, true);
  EXPECT_EQ(encoded[8] & kFlagZstd, 0);
  EXPECT_EQ(DecodeFrame(encoded, &consumed)->payload, random);
}

TEST(WireFrameTest, ReadsFramesFromASocketAndReportsCorruptionAndEof) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  std::vector<uint8_t> good = EncodeFrame(FrameType::kHeartbeat, 0, EncodeHeartbeat(5), false);
  std::vector<uint8_t> bad = EncodeFrame(FrameType::kData, 2, Bytes("payload bytes"), false);
  bad[kFrameHeaderSize + 3] ^= 0xff;
  ASSERT_TRUE(WriteAll(fds[0], good).ok());
  ASSERT_TRUE(WriteAll(fds[0], bad).ok());
  ASSERT_TRUE(WriteAll(fds[0], std::span(good).first(10)).ok());
  ::close(fds[0]);
  Frame frame;
  ASSERT_TRUE(ReadFrame(fds[1], &frame).ok());
  EXPECT_EQ(frame.type, FrameType::kHeartbeat);
  EXPECT_EQ(ReadFrame(fds[1], &frame).code(), StatusCode::kDataLoss);
  EXPECT_EQ(ReadFrame(fds[1], &frame).code(), StatusCode::kUnavailable);
  ::close(fds[1]);
}

}  // namespace
}  // namespace cdr::wire
