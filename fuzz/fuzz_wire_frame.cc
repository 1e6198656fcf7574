// The replication stream as cdr-shadow (and the agent, for acks and repair requests) reads it: frames cut from
// a byte stream, then each payload decoded by its type. The first byte of an input also picks one payload
// decoder to run on the rest directly, so the fuzzer reaches the decoders without forging frame checksums.
#include <span>

#include "common/wire_frame.h"
#include "fuzz/fuzz_target.h"

namespace {

using cdr::wire::FrameType;

void DecodePayload(FrameType type, std::span<const uint8_t> p) {
  switch (type) {
    case FrameType::kHello: (void)cdr::wire::DecodeHello(p); break;
    case FrameType::kHelloAck: (void)cdr::wire::DecodeHelloAck(p); break;
    case FrameType::kData: (void)cdr::wire::DecodeDataRecord(p); break;
    case FrameType::kFullSyncExtent: (void)cdr::wire::DecodeFullSyncExtent(p); break;
    case FrameType::kAck: (void)cdr::wire::DecodeAck(p); break;
    case FrameType::kHeartbeat: (void)cdr::wire::DecodeHeartbeat(p); break;
    case FrameType::kError: (void)cdr::wire::DecodeError(p); break;
    case FrameType::kRepairRanges: (void)cdr::wire::DecodeRepairRanges(p); break;
    case FrameType::kRepairBlockHashes: (void)cdr::wire::DecodeRepairBlockHashes(p); break;
    case FrameType::kRepairBlocks: (void)cdr::wire::DecodeRepairBlocks(p); break;
    case FrameType::kRepairEnd: (void)cdr::wire::DecodeRepairEnd(p); break;
    case FrameType::kVerifyRange: (void)cdr::wire::DecodeVerifyRange(p); break;
    case FrameType::kVerifyResult: (void)cdr::wire::DecodeVerifyResult(p); break;
    case FrameType::kRepairSend:
      (void)cdr::wire::DecodeRepairSend(p);
      break;
  }
}

int FuzzWireFrame(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto direct = static_cast<FrameType>(data[0] % 14 + 1);
  DecodePayload(direct, std::span<const uint8_t>(data + 1, size - 1));
  std::span<const uint8_t> stream(data, size);
  for (int frames = 0; !stream.empty() && frames < 64; ++frames) {
    size_t consumed = 0;
    auto frame = cdr::wire::DecodeFrame(stream, &consumed);
    if (!frame.ok() || consumed == 0 || consumed > stream.size()) break;
    DecodePayload(frame->type, frame->payload);
    stream = stream.subspan(consumed);
  }
  return 0;
}

}  // namespace

CDR_FUZZ_TARGET("wire_frame", FuzzWireFrame)
