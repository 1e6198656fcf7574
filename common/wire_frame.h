// The replication stream between cdr-agent and cdr-shadow: checksummed frames over TCP, and the messages they
// carry (layout and rules: docs/wire-protocol.md). A frame whose header or payload fails its checksum is
// kDataLoss and is never returned as data; a peer that closed or a short read is kUnavailable (reconnect).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

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

// Blocking socket I/O of whole frames (EINTR and short transfers retried).
Status WriteAll(int fd, std::span<const uint8_t> bytes);
Status ReadFrame(int fd, Frame* frame);

// Messages (payloads). Decode* return kInvalidArgument for a payload of the wrong shape.
struct Hello {
  std::string server_id;
  std::string disk;
  uint64_t disk_size = 0;
  uint32_t block_size = 0;
  uint64_t epoch = 0;
  uint64_t resume_from_seq = 0;  // the last seq the agent saw acknowledged (informational)
};
struct HelloAck {
  bool accepted = false;
  std::string reason;  // why it was refused
  uint64_t applied_seq = 0;
  bool full_sync_done = false;
  uint64_t full_sync_cursor = 0;
  uint64_t full_sync_base_seq = 0;
};
struct DataRecord {
  uint16_t kind = 1;  // agent::RecordKind: 1 write, 2 zero, 3 trim
  uint16_t flags = 0;
  uint64_t seq = 0;
  uint64_t time_ns = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t checksum = 0;  // XXH3-64 of data (0 without data)
  std::span<const uint8_t> data;
};
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

}  // namespace cdr::wire
