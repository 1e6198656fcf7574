// The replication stream between cdr-agent and cdr-shadow: checksummed frames over TLS (or, with insecure =
// true, plain TCP) and the messages they carry (layout and rules: docs/wire-protocol.md). A frame whose
// header or payload fails its checksum is kDataLoss and is never returned as data; a peer that closed or a
// short read is kUnavailable (reconnect).
#pragma once

#include <sys/uio.h>

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/byte_stream.h"
#include "common/status.h"
#include "journal/record.h"

namespace cdr::wire {

inline constexpr uint32_t kFrameMagic = 0x57524443;  // bytes "CDRW"
inline constexpr uint16_t kFrameVersion = 1;
inline constexpr size_t kFrameHeaderSize = 32;
inline constexpr size_t kFrameTrailerSize = 8;
inline constexpr uint32_t kMaxPayload = 64u << 20;
inline constexpr uint16_t kFlagZstd = 1 << 0;

enum class FrameType : uint16_t {
  kHello = 1,
  kHelloAck = 2,
  kData = 3,
  kFullSyncExtent = 4,
  kAck = 5,
  kHeartbeat = 6,
  kError = 7,
  kRepairRanges = 8,
  kRepairBlockHashes = 9,
  kRepairBlocks = 10,
  kRepairEnd = 11,
  kVerifyRange = 12,
  kVerifyResult = 13,
  kRepairSend = 14,
};
const char* FrameTypeName(FrameType type);

struct Frame {
  FrameType type = FrameType::kHeartbeat;
  uint64_t seq = 0;
  std::vector<uint8_t> payload;  // decompressed, checksum verified
};

// compress: try zstd and keep it only when it is smaller.
std::vector<uint8_t> EncodeFrame(FrameType type, uint64_t seq, std::span<const uint8_t> payload,
                                 bool compress);
// Decodes the frame at the start of `bytes`; *consumed is its encoded size. kUnavailable when `bytes` is
// shorter than the frame (wait for more), kDataLoss on any checksum or decompression failure.
Result<Frame> DecodeFrame(std::span<const uint8_t> bytes, size_t* consumed);

// The header and trailer of an uncompressed frame whose payload stays in the caller's buffers (a full-sync
// extent read from the disk): sent as header, payload pieces, trailer with WriteVecAll, the payload is never
// copied in user space. The bytes on the wire are those EncodeFrame(…, compress = false) gives.
struct FrameEnvelope {
  uint8_t header[kFrameHeaderSize];
  uint8_t trailer[kFrameTrailerSize];
};
FrameEnvelope EncodeFrameEnvelope(FrameType type, uint64_t seq,
                                  std::span<const std::span<const uint8_t>> payload_pieces);

// Appends the uncompressed frame whose payload is the concatenation of `payload_pieces` to *out: the bytes
// EncodeFrame(type, seq, that payload, false) gives, each piece copied once (into *out).
void AppendPlainFrame(FrameType type, uint64_t seq, std::span<const std::span<const uint8_t>> payload_pieces,
                      std::vector<uint8_t>* out);

// What a reader accepts from a peer it does not trust yet (the first frame of a connection).
struct ReadLimits {
  uint32_t max_payload = kMaxPayload;  // a larger announced payload is kInvalidArgument, nothing read
  // The whole frame must have arrived by then (a peer that sends a byte at a time cannot hold the reader).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};
// Reads the payload straight into frame->payload, whose capacity is reused: a caller that reads many frames
// into the same Frame pays no allocation and no zero-fill per frame. The buffer grows only as bytes arrive,
// so a header announcing 64 MiB costs memory only for what the peer really sends. Frames are written with
// ByteStream::WriteAll (EncodeFrame) and WriteVecAll (EncodeFrameEnvelope).
Status ReadFrame(ByteStream& stream, Frame* frame, const ReadLimits& limits = {});

// The same on a plain TCP socket, for tools and tests that play a peer without TLS.
Status WriteAll(int fd, std::span<const uint8_t> bytes);
Status WriteVecAll(int fd, struct iovec* iov, int count);
Status ReadFrame(int fd, Frame* frame, const ReadLimits& limits = {});

// Messages (payloads). Decode* return kInvalidArgument for a payload of the wrong shape.
struct Hello {
  std::string server_id;
  std::string disk;
  uint64_t disk_size = 0;
  uint32_t block_size = 0;
  uint64_t epoch = 0;
  uint64_t resume_from_seq = 0;  // the last seq the agent saw acknowledged (informational)
  uint16_t flags = 0;            // kHelloRepair
};
// The agent is going to repair the replica: a changed disk size is accepted (the replica is resized).
inline constexpr uint16_t kHelloRepair = 1 << 0;

// Why a HELLO was refused, so the agent can tell what a repair fixes from what an operator must fix.
enum class Refusal : uint16_t { kNone = 0, kForeignEpoch = 1, kDiskSizeChanged = 2, kBusy = 3, kOther = 4 };
struct HelloAck {
  bool accepted = false;
  std::string reason;  // why it was refused
  uint64_t applied_seq = 0;
  bool full_sync_done = false;
  uint64_t full_sync_cursor = 0;
  uint64_t full_sync_base_seq = 0;
  Refusal refusal = Refusal::kNone;
  bool repair_in_progress = false;  // the replica is not consistent until the repair ends
  uint64_t repair_cursor = 0;       // bytes [0, cursor) are repaired
  uint64_t repair_base_seq = 0;     // journal seq the running repair started after
};
// A DATA frame carries one journal record (journal/record.h), the same struct the agent read from its journal.
using DataRecord = journal::Record;
// Everything in [previous cursor, cursor) is final: zeroes except [offset, offset + data.size()).
// An extent with no data and cursor == disk size ends the full sync.
struct FullSyncExtent {
  uint64_t offset = 0;
  uint64_t cursor = 0;
  uint64_t base_seq = 0;  // journal seq the full sync started after; the replica is at base_seq once done
  std::span<const uint8_t> data;
};
struct Ack {
  uint64_t applied_seq = 0;
  uint64_t full_sync_cursor = 0;
  bool full_sync_done = false;
  bool repair_in_progress = false;
  uint64_t repair_cursor = 0;
};

// Repair (docs/wire-protocol.md): the agent sends a 128-bit hash per range, the shadow answers the ranges whose
// hash differs with its per-block hashes, the agent sends the blocks that differ.
struct Hash128 {
  uint64_t low = 0;
  uint64_t high = 0;
  bool operator==(const Hash128&) const = default;
};
struct RangeHash {
  uint64_t offset = 0;
  uint32_t length = 0;
  Hash128 hash;  // XXH3-128 of the range's block hashes, in order
};
struct RepairRanges {
  uint64_t base_seq = 0;  // the same for every frame of one repair; a new base starts a new repair at 0
  std::vector<RangeHash> ranges;  // ascending and contiguous
};
struct RepairBlockHashes {
  uint64_t offset = 0;  // the range's offset
  uint32_t block_size = 0;
  std::vector<Hash128> hashes;  // one per block of the range (XXH3-128 of the block's bytes)
};
struct RepairRun {
  uint64_t offset = 0;
  uint32_t length = 0;
  bool zero = false;              // the run reads as zeroes: no data sent
  std::span<const uint8_t> data;  // length bytes unless zero
};
// Completes the range [offset, end): every block of it that differs is in runs.
struct RepairBlocks {
  uint64_t offset = 0;
  uint64_t end = 0;
  std::vector<RepairRun> runs;
};
// A range repaired without a compare: the agent knows which of its blocks can differ (a failback's change map
// of the DR host), so it sends them at once instead of asking for the replica's block hashes. Like
// REPAIR_RANGES it starts the repair of base_seq (or goes on with it); `blocks` completes its range as
// REPAIR_BLOCKS does, and ranges still ascend.
struct RepairSend {
  uint64_t base_seq = 0;
  RepairBlocks blocks;
};
struct RepairEnd {
  uint64_t base_seq = 0;  // the replica is at base_seq once every range is repaired
};
// Online verify (docs/wire-protocol.md, "Online verify"): in realtime the agent sends the block hashes of a range of
// its disk, taken while no write to the range was in flight and after journal record `seq`; it sends them after
// every record up to `seq` and before any later record that touches the range, so the shadow, applying frames in
// order, compares the replica's range at the same point of the history.
struct VerifyRange {
  uint64_t id = 0;   // the agent's number for this probe, echoed in the result
  uint64_t seq = 0;  // the journal seq the hashes are of
  uint64_t offset = 0;
  uint32_t length = 0;  // clipped at the disk's end: the last block may be short
  uint32_t block_size = 0;
  std::vector<Hash128> hashes;  // one per block of the range (HashBlock, as the repair's)
};
enum class VerifyOutcome : uint16_t { kSame = 1, kDiffers = 2, kSkipped = 3 };
const char* VerifyOutcomeName(VerifyOutcome outcome);  // "same", "differs", "skipped"
struct VerifyResult {
  uint64_t id = 0;
  uint64_t offset = 0;
  uint32_t length = 0;
  VerifyOutcome outcome = VerifyOutcome::kSkipped;
  uint32_t differing_blocks = 0;
  uint64_t first_differing_offset = 0;  // with kDiffers
  std::string reason;                   // with kSkipped: why the replica could not be compared
};
struct ErrorMessage {
  uint16_t code = 0;  // StatusCode
  std::string message;
};

std::vector<uint8_t> EncodeHello(const Hello& m);
Result<Hello> DecodeHello(std::span<const uint8_t> p);
std::vector<uint8_t> EncodeHelloAck(const HelloAck& m);
Result<HelloAck> DecodeHelloAck(std::span<const uint8_t> p);
std::vector<uint8_t> EncodeDataRecord(const DataRecord& m);
Result<DataRecord> DecodeDataRecord(std::span<const uint8_t> p);  // data points into p
std::vector<uint8_t> EncodeFullSyncExtent(const FullSyncExtent& m);
Result<FullSyncExtent> DecodeFullSyncExtent(std::span<const uint8_t> p);  // data points into p
std::vector<uint8_t> EncodeAck(const Ack& m);
Result<Ack> DecodeAck(std::span<const uint8_t> p);
std::vector<uint8_t> EncodeHeartbeat(uint64_t time_ns);
Result<uint64_t> DecodeHeartbeat(std::span<const uint8_t> p);
std::vector<uint8_t> EncodeError(const ErrorMessage& m);
Result<ErrorMessage> DecodeError(std::span<const uint8_t> p);
std::vector<uint8_t> EncodeRepairRanges(const RepairRanges& m);
Result<RepairRanges> DecodeRepairRanges(std::span<const uint8_t> p);
std::vector<uint8_t> EncodeRepairBlockHashes(const RepairBlockHashes& m);
Result<RepairBlockHashes> DecodeRepairBlockHashes(std::span<const uint8_t> p);
std::vector<uint8_t> EncodeRepairBlocks(const RepairBlocks& m);
// The same payload as pieces for AppendPlainFrame: headers written to *heads, run data referenced where it lies
// (valid while *heads and the runs' data are), so a repair's blocks are copied once on their way out.
std::vector<std::span<const uint8_t>> RepairBlocksPieces(const RepairBlocks& m, std::vector<uint8_t>* heads);
Result<RepairBlocks> DecodeRepairBlocks(std::span<const uint8_t> p);  // run data points into p
std::vector<uint8_t> EncodeRepairSend(const RepairSend& m);
// As RepairBlocksPieces: the base seq and the headers written to *heads, the run data referenced.
std::vector<std::span<const uint8_t>> RepairSendPieces(const RepairSend& m, std::vector<uint8_t>* heads);
Result<RepairSend> DecodeRepairSend(std::span<const uint8_t> p);  // run data points into p
std::vector<uint8_t> EncodeRepairEnd(const RepairEnd& m);
Result<RepairEnd> DecodeRepairEnd(std::span<const uint8_t> p);
std::vector<uint8_t> EncodeVerifyRange(const VerifyRange& m);
Result<VerifyRange> DecodeVerifyRange(std::span<const uint8_t> p);
std::vector<uint8_t> EncodeVerifyResult(const VerifyResult& m);
Result<VerifyResult> DecodeVerifyResult(std::span<const uint8_t> p);

}  // namespace cdr::wire
