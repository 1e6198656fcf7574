#include "common/wire_frame.h"

#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <memory>

// cdr_common does not link xxhash and zstd itself: only cdr_agent and cdr_shadow use this file, and they do.
namespace cdr::wire {
namespace {

void Put16(uint8_t* p, uint16_t v) { p[0] = static_cast<uint8_t>(v), p[1] = static_cast<uint8_t>(v >> 8); }
void Put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void Put64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t Get32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint64_t Get64(const uint8_t* p) { return uint64_t{Get32(p)} | uint64_t{Get32(p + 4)} << 32; }

uint32_t HeaderChecksum(const uint8_t* header) { return static_cast<uint32_t>(XXH3_64bits(header, 28)); }

struct ParsedHeader {
  FrameType type;
  uint16_t flags;
  uint32_t payload_length;
  uint64_t seq;
  uint32_t raw_length;
};

Result<ParsedHeader> ParseHeader(const uint8_t* h) {
  if (Get32(h) != kFrameMagic) return DataLoss("frame header: bad magic");
  if (Get32(h + 28) != HeaderChecksum(h)) return DataLoss("frame header: checksum mismatch");
  if (Get16(h + 4) != kFrameVersion)
    return DataLoss("frame header: unsupported version " + std::to_string(Get16(h + 4)));
  ParsedHeader p{static_cast<FrameType>(Get16(h + 6)), Get16(h + 8), Get32(h + 12), Get64(h + 16),
                 Get32(h + 24)};
  if (p.payload_length > kMaxPayload || p.raw_length > kMaxPayload)
    return DataLoss("frame header: payload too large");
  if ((p.flags & ~kFlagZstd) != 0) return DataLoss("frame header: unknown flags");
  if (Get16(h + 10) != 0) return DataLoss("frame header: reserved field is not 0");
  if (!(p.flags & kFlagZstd) && p.raw_length != p.payload_length)
    return DataLoss("frame header: length mismatch");
  return p;
}

Status CheckPayload(const ParsedHeader& h, std::span<const uint8_t> sent, const uint8_t* trailer) {
  if (XXH3_64bits(sent.data(), sent.size()) != Get64(trailer)) {
    return DataLoss(std::string("frame ") + FrameTypeName(h.type) + " seq " + std::to_string(h.seq) +
                    ": payload checksum mismatch");
  }
  return Status::Ok();
}

Status Decompress(const ParsedHeader& h, std::span<const uint8_t> sent, std::vector<uint8_t>* out) {
  out->resize(h.raw_length);
  size_t n = ZSTD_decompress(out->data(), out->size(), sent.data(), sent.size());
  if (ZSTD_isError(n) || n != h.raw_length) return DataLoss("frame: zstd payload does not decompress");
  return Status::Ok();
}

Result<Frame> FinishFrame(const ParsedHeader& h, std::span<const uint8_t> sent, const uint8_t* trailer) {
  CDR_RETURN_IF_ERROR(CheckPayload(h, sent, trailer));
  Frame f;
  f.type = h.type;
  f.seq = h.seq;
  if (h.flags & kFlagZstd) {
    CDR_RETURN_IF_ERROR(Decompress(h, sent, &f.payload));
  } else {
    f.payload.assign(sent.begin(), sent.end());
  }
  return f;
}

void PutHeader(uint8_t* h, FrameType type, uint16_t flags, uint32_t sent_length, uint64_t seq,
               uint32_t raw_length) {
  Put32(h, kFrameMagic);
  Put16(h + 4, kFrameVersion);
  Put16(h + 6, static_cast<uint16_t>(type));
  Put16(h + 8, flags);
  Put16(h + 10, 0);
  Put32(h + 12, sent_length);
  Put64(h + 16, seq);
  Put32(h + 24, raw_length);
  Put32(h + 28, HeaderChecksum(h));
}

// Little-endian payload builder and reader for the messages.
class Writer {
 public:
  Writer& U16(uint16_t v) { return Put(&v, 2, Put16); }
  Writer& U32(uint32_t v) { return Put(&v, 4, Put32); }
  Writer& U64(uint64_t v) { return Put(&v, 8, Put64); }
  Writer& Str(const std::string& s) {
    const size_t n = std::min<size_t>(s.size(), 0xffff);
    U16(static_cast<uint16_t>(n));
    out_.insert(out_.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
    return *this;
  }
  Writer& Bytes(std::span<const uint8_t> b) {
    out_.insert(out_.end(), b.begin(), b.end());
    return *this;
  }
  std::vector<uint8_t> Take() { return std::move(out_); }

 private:
  template <typename T, typename F>
  Writer& Put(const T* v, size_t n, F put) {
    out_.resize(out_.size() + n);
    put(out_.data() + out_.size() - n, *v);
    return *this;
  }
  std::vector<uint8_t> out_;
};

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> p) : p_(p) {}
  uint16_t U16() { return Need(2) ? Get16(Advance(2)) : 0; }
  uint32_t U32() { return Need(4) ? Get32(Advance(4)) : 0; }
  uint64_t U64() { return Need(8) ? Get64(Advance(8)) : 0; }
  std::string Str() {
    const uint16_t n = U16();
    if (!Need(n)) return {};
    const uint8_t* s = Advance(n);
    return std::string(reinterpret_cast<const char*>(s), n);
  }
  void Skip(size_t n) {
    if (Need(n)) Advance(n);
  }
  std::span<const uint8_t> Rest() {
    auto r = p_.subspan(pos_);
    pos_ = p_.size();
    return r;
  }
  Status Done(const char* what) const {
    if (bad_ || pos_ != p_.size()) return InvalidArgument(std::string("malformed ") + what + " payload");
    return Status::Ok();
  }

 private:
  bool Need(size_t n) {
    if (pos_ + n > p_.size()) bad_ = true;
    return !bad_;
  }
  const uint8_t* Advance(size_t n) {
    pos_ += n;
    return p_.data() + pos_ - n;
  }
  std::span<const uint8_t> p_;
  size_t pos_ = 0;
  bool bad_ = false;
};

// A hash list: a u32 count read before, then count × 16 bytes. The count is checked against what the payload
// can hold before anything is allocated.
bool ReadHashes(Reader& r, std::span<const uint8_t> p, size_t fixed_bytes, uint32_t count,
                std::vector<Hash128>* out) {
  if (p.size() < fixed_bytes || (p.size() - fixed_bytes) / 16 < count) return false;
  out->resize(count);
  for (Hash128& h : *out) {
    h.low = r.U64();
    h.high = r.U64();
  }
  return true;
}

void WriteHashes(Writer& w, const std::vector<Hash128>& hashes) {
  w.U32(static_cast<uint32_t>(hashes.size()));
  for (const Hash128& h : hashes) w.U64(h.low).U64(h.high);
}

}  // namespace

const char* FrameTypeName(FrameType type) {
  switch (type) {
    case FrameType::kHello:
      return "HELLO";
    case FrameType::kHelloAck:
      return "HELLO_ACK";
    case FrameType::kData:
      return "DATA";
    case FrameType::kFullSyncExtent:
      return "FULL_SYNC_EXTENT";
    case FrameType::kAck:
      return "ACK";
    case FrameType::kHeartbeat:
      return "HEARTBEAT";
    case FrameType::kError:
      return "ERROR";
    case FrameType::kRepairRanges:
      return "REPAIR_RANGES";
    case FrameType::kRepairBlockHashes:
      return "REPAIR_BLOCK_HASHES";
    case FrameType::kRepairBlocks:
      return "REPAIR_BLOCKS";
    case FrameType::kRepairEnd:
      return "REPAIR_END";
    case FrameType::kVerifyRange:
      return "VERIFY_RANGE";
    case FrameType::kVerifyResult:
      return "VERIFY_RESULT";
    case FrameType::kRepairSend:
      return "REPAIR_SEND";
  }
  return "UNKNOWN";
}

std::vector<uint8_t> EncodeFrame(FrameType type, uint64_t seq, std::span<const uint8_t> payload,
                                 bool compress) {
  std::vector<uint8_t> out(kFrameHeaderSize);
  uint16_t flags = 0;
  if (compress && payload.size() >= 256) {
    thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
    out.resize(kFrameHeaderSize + ZSTD_compressBound(payload.size()));
    size_t n = ZSTD_compressCCtx(cctx.get(), out.data() + kFrameHeaderSize, out.size() - kFrameHeaderSize,
                                 payload.data(), payload.size(), 1);
    if (!ZSTD_isError(n) && n < payload.size()) {
      out.resize(kFrameHeaderSize + n);
      flags = kFlagZstd;
    }
  }
  if (flags == 0) {
    out.resize(kFrameHeaderSize);
    out.insert(out.end(), payload.begin(), payload.end());
  }
  const auto sent_length = static_cast<uint32_t>(out.size() - kFrameHeaderSize);
  PutHeader(out.data(), type, flags, sent_length, seq, static_cast<uint32_t>(payload.size()));
  uint8_t trailer[kFrameTrailerSize];
  Put64(trailer, XXH3_64bits(out.data() + kFrameHeaderSize, sent_length));
  out.insert(out.end(), trailer, trailer + kFrameTrailerSize);
  return out;
}

FrameEnvelope EncodeFrameEnvelope(FrameType type, uint64_t seq,
                                  std::span<const std::span<const uint8_t>> payload_pieces) {
  thread_local std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t*)> state(XXH3_createState(),
                                                                                      XXH3_freeState);
  XXH3_64bits_reset(state.get());
  size_t length = 0;
  for (std::span<const uint8_t> piece : payload_pieces) {
    XXH3_64bits_update(state.get(), piece.data(), piece.size());
    length += piece.size();
  }
  FrameEnvelope envelope;
  PutHeader(envelope.header, type, 0, static_cast<uint32_t>(length), seq, static_cast<uint32_t>(length));
  Put64(envelope.trailer, XXH3_64bits_digest(state.get()));
  return envelope;
}

void AppendPlainFrame(FrameType type, uint64_t seq, std::span<const std::span<const uint8_t>> payload_pieces,
                      std::vector<uint8_t>* out) {
  const FrameEnvelope envelope = EncodeFrameEnvelope(type, seq, payload_pieces);
  out->insert(out->end(), envelope.header, envelope.header + kFrameHeaderSize);
  for (std::span<const uint8_t> piece : payload_pieces) out->insert(out->end(), piece.begin(), piece.end());
  out->insert(out->end(), envelope.trailer, envelope.trailer + kFrameTrailerSize);
}

Result<Frame> DecodeFrame(std::span<const uint8_t> bytes, size_t* consumed) {
  if (bytes.size() < kFrameHeaderSize) return Unavailable("truncated frame header");
  Result<ParsedHeader> h = ParseHeader(bytes.data());
  if (!h.ok()) return h.status();
  const size_t total = kFrameHeaderSize + h->payload_length + kFrameTrailerSize;
  if (bytes.size() < total)
    return Unavailable("truncated frame: " + std::to_string(bytes.size()) + " of " + std::to_string(total) +
                       " bytes");
  *consumed = total;
  return FinishFrame(*h, bytes.subspan(kFrameHeaderSize, h->payload_length),
                     bytes.data() + kFrameHeaderSize + h->payload_length);
}

Status WriteAll(int fd, std::span<const uint8_t> bytes) { return PlainStream(fd, false).WriteAll(bytes); }

Status WriteVecAll(int fd, struct iovec* iov, int count) {
  return PlainStream(fd, false).WriteVecAll(iov, count);
}

Status ReadFrame(int fd, Frame* frame, const ReadLimits& limits) {
  PlainStream stream(fd, false);
  return ReadFrame(stream, frame, limits);
}

Status ReadFrame(ByteStream& stream, Frame* frame, const ReadLimits& limits) {
  uint8_t header[kFrameHeaderSize];
  CDR_RETURN_IF_ERROR(stream.ReadAll(header, sizeof header, limits.deadline));
  Result<ParsedHeader> h = ParseHeader(header);
  if (!h.ok()) return h.status();
  if (h->payload_length > limits.max_payload || h->raw_length > limits.max_payload) {
    return InvalidArgument(std::string("frame ") + FrameTypeName(h->type) + ": payload of " +
                           std::to_string(h->payload_length) + " bytes, at most " +
                           std::to_string(limits.max_payload) + " accepted here");
  }
  std::vector<uint8_t>& buffer = frame->payload;
  const size_t total = h->payload_length + kFrameTrailerSize;
  // Grown by at most what has arrived (doubling from 1 MiB), never to the announced size up front.
  constexpr size_t kFirstStep = 1 << 20;
  size_t got = 0;
  while (got < total) {
    const size_t step = std::min(total - got, std::max(kFirstStep, got));
    if (buffer.size() < got + step) buffer.resize(got + step);
    CDR_RETURN_IF_ERROR(stream.ReadAll(buffer.data() + got, step, limits.deadline));
    got += step;
  }
  buffer.resize(total);
  const std::span<const uint8_t> sent = std::span(buffer).first(h->payload_length);
  CDR_RETURN_IF_ERROR(CheckPayload(*h, sent, buffer.data() + h->payload_length));
  frame->type = h->type;
  frame->seq = h->seq;
  if (h->flags & kFlagZstd) {
    std::vector<uint8_t> raw;
    CDR_RETURN_IF_ERROR(Decompress(*h, sent, &raw));
    buffer.swap(raw);
  } else {
    buffer.resize(h->payload_length);
  }
  return Status::Ok();
}

std::vector<uint8_t> EncodeHello(const Hello& m) {
  return Writer()
      .Str(m.server_id)
      .Str(m.disk)
      .U64(m.disk_size)
      .U32(m.block_size)
      .U64(m.epoch)
      .U64(m.resume_from_seq)
      .U16(m.flags)
      .Take();
}
Result<Hello> DecodeHello(std::span<const uint8_t> p) {
  Reader r(p);
  Hello m;
  m.server_id = r.Str();
  m.disk = r.Str();
  m.disk_size = r.U64();
  m.block_size = r.U32();
  m.epoch = r.U64();
  m.resume_from_seq = r.U64();
  m.flags = r.U16();
  CDR_RETURN_IF_ERROR(r.Done("HELLO"));
  return m;
}

std::vector<uint8_t> EncodeHelloAck(const HelloAck& m) {
  return Writer()
      .U16(m.accepted ? 1 : 0)
      .Str(m.reason)
      .U64(m.applied_seq)
      .U16(m.full_sync_done ? 1 : 0)
      .U64(m.full_sync_cursor)
      .U64(m.full_sync_base_seq)
      .U16(static_cast<uint16_t>(m.refusal))
      .U16(m.repair_in_progress ? 1 : 0)
      .U64(m.repair_cursor)
      .U64(m.repair_base_seq)
      .Take();
}
Result<HelloAck> DecodeHelloAck(std::span<const uint8_t> p) {
  Reader r(p);
  HelloAck m;
  m.accepted = r.U16() != 0;
  m.reason = r.Str();
  m.applied_seq = r.U64();
  m.full_sync_done = r.U16() != 0;
  m.full_sync_cursor = r.U64();
  m.full_sync_base_seq = r.U64();
  m.refusal = static_cast<Refusal>(r.U16());
  m.repair_in_progress = r.U16() != 0;
  m.repair_cursor = r.U64();
  m.repair_base_seq = r.U64();
  CDR_RETURN_IF_ERROR(r.Done("HELLO_ACK"));
  return m;
}

std::vector<uint8_t> EncodeDataRecord(const DataRecord& m) {
  return Writer()
      .U16(static_cast<uint16_t>(m.kind))
      .U16(m.flags)
      .U64(m.seq)
      .U64(m.time_ns)
      .U64(m.offset)
      .U64(m.length)
      .U64(m.checksum)
      .Bytes(m.data)
      .Take();
}
Result<DataRecord> DecodeDataRecord(std::span<const uint8_t> p) {
  Reader r(p);
  DataRecord m;
  const uint16_t kind = r.U16();
  m.flags = r.U16();
  m.seq = r.U64();
  m.time_ns = r.U64();
  m.offset = r.U64();
  m.length = r.U64();
  m.checksum = r.U64();
  m.data = r.Rest();
  CDR_RETURN_IF_ERROR(r.Done("DATA"));
  if (kind < static_cast<uint16_t>(journal::RecordKind::kWrite) || kind > static_cast<uint16_t>(journal::RecordKind::kTrim)) {
    return InvalidArgument("DATA: unknown record kind " + std::to_string(kind));
  }
  m.kind = static_cast<journal::RecordKind>(kind);
  if (m.kind == journal::RecordKind::kWrite ? m.data.size() != m.length : !m.data.empty())
    return InvalidArgument("DATA: length mismatch");
  return m;
}

std::vector<uint8_t> EncodeFullSyncExtent(const FullSyncExtent& m) {
  return Writer().U64(m.offset).U64(m.cursor).U64(m.base_seq).Bytes(m.data).Take();
}
Result<FullSyncExtent> DecodeFullSyncExtent(std::span<const uint8_t> p) {
  Reader r(p);
  FullSyncExtent m;
  m.offset = r.U64();
  m.cursor = r.U64();
  m.base_seq = r.U64();
  m.data = r.Rest();
  CDR_RETURN_IF_ERROR(r.Done("FULL_SYNC_EXTENT"));
  if (m.offset + m.data.size() > m.cursor) return InvalidArgument("FULL_SYNC_EXTENT: data beyond the cursor");
  return m;
}

std::vector<uint8_t> EncodeAck(const Ack& m) {
  return Writer()
      .U64(m.applied_seq)
      .U64(m.full_sync_cursor)
      .U16(m.full_sync_done ? 1 : 0)
      .U16(m.repair_in_progress ? 1 : 0)
      .U64(m.repair_cursor)
      .Take();
}
Result<Ack> DecodeAck(std::span<const uint8_t> p) {
  Reader r(p);
  Ack m;
  m.applied_seq = r.U64();
  m.full_sync_cursor = r.U64();
  m.full_sync_done = r.U16() != 0;
  m.repair_in_progress = r.U16() != 0;
  m.repair_cursor = r.U64();
  CDR_RETURN_IF_ERROR(r.Done("ACK"));
  return m;
}

std::vector<uint8_t> EncodeHeartbeat(uint64_t time_ns) { return Writer().U64(time_ns).Take(); }
Result<uint64_t> DecodeHeartbeat(std::span<const uint8_t> p) {
  Reader r(p);
  uint64_t t = r.U64();
  CDR_RETURN_IF_ERROR(r.Done("HEARTBEAT"));
  return t;
}

std::vector<uint8_t> EncodeError(const ErrorMessage& m) { return Writer().U16(m.code).Str(m.message).Take(); }
Result<ErrorMessage> DecodeError(std::span<const uint8_t> p) {
  Reader r(p);
  ErrorMessage m;
  m.code = r.U16();
  m.message = r.Str();
  CDR_RETURN_IF_ERROR(r.Done("ERROR"));
  return m;
}

std::vector<uint8_t> EncodeRepairRanges(const RepairRanges& m) {
  Writer w;
  w.U64(m.base_seq).U32(static_cast<uint32_t>(m.ranges.size()));
  for (const RangeHash& h : m.ranges) w.U64(h.offset).U32(h.length).U64(h.hash.low).U64(h.hash.high);
  return w.Take();
}
Result<RepairRanges> DecodeRepairRanges(std::span<const uint8_t> p) {
  Reader r(p);
  RepairRanges m;
  m.base_seq = r.U64();
  const uint32_t n = r.U32();
  if (p.size() < 12 || (p.size() - 12) / 28 < n) return InvalidArgument("malformed REPAIR_RANGES payload");
  m.ranges.resize(n);
  for (RangeHash& h : m.ranges) {
    h.offset = r.U64();
    h.length = r.U32();
    h.hash.low = r.U64();
    h.hash.high = r.U64();
  }
  CDR_RETURN_IF_ERROR(r.Done("REPAIR_RANGES"));
  for (size_t i = 0; i < m.ranges.size(); ++i) {
    if (m.ranges[i].length == 0 ||
        (i > 0 && m.ranges[i].offset != m.ranges[i - 1].offset + m.ranges[i - 1].length)) {
      return InvalidArgument("REPAIR_RANGES: ranges must be non-empty and contiguous");
    }
  }
  return m;
}

std::vector<uint8_t> EncodeRepairBlockHashes(const RepairBlockHashes& m) {
  Writer w;
  w.U64(m.offset).U32(m.block_size);
  WriteHashes(w, m.hashes);
  return w.Take();
}
Result<RepairBlockHashes> DecodeRepairBlockHashes(std::span<const uint8_t> p) {
  Reader r(p);
  RepairBlockHashes m;
  m.offset = r.U64();
  m.block_size = r.U32();
  if (!ReadHashes(r, p, 16, r.U32(), &m.hashes)) return InvalidArgument("malformed REPAIR_BLOCK_HASHES payload");
  CDR_RETURN_IF_ERROR(r.Done("REPAIR_BLOCK_HASHES"));
  if (m.block_size == 0) return InvalidArgument("REPAIR_BLOCK_HASHES: block size 0");
  return m;
}

// REPAIR_BLOCKS: offset, end and run count, then per run its offset, length and zero flag, followed by its
// data.
constexpr size_t kRepairBlocksHead = 8 + 8 + 4;
constexpr size_t kRepairRunHead = 8 + 4 + 2;

namespace {

// REPAIR_BLOCKS's layout, after `prefix` bytes of *heads the caller wrote (REPAIR_SEND's base seq).
std::vector<std::span<const uint8_t>> BlocksPieces(const RepairBlocks& m, Writer w, size_t prefix,
                                                   std::vector<uint8_t>* heads) {
  w.U64(m.offset).U64(m.end).U32(static_cast<uint32_t>(m.runs.size()));
  for (const RepairRun& run : m.runs) w.U64(run.offset).U32(run.length).U16(run.zero ? 1 : 0);
  *heads = w.Take();
  const std::span<const uint8_t> all(*heads);
  std::vector<std::span<const uint8_t>> pieces = {all.first(prefix + kRepairBlocksHead)};
  for (size_t i = 0; i < m.runs.size(); ++i) {
    pieces.push_back(all.subspan(prefix + kRepairBlocksHead + i * kRepairRunHead, kRepairRunHead));
    if (!m.runs[i].zero) pieces.push_back(m.runs[i].data);
  }
  return pieces;
}

}  // namespace

std::vector<std::span<const uint8_t>> RepairBlocksPieces(const RepairBlocks& m, std::vector<uint8_t>* heads) {
  return BlocksPieces(m, Writer(), 0, heads);
}

std::vector<uint8_t> EncodeRepairBlocks(const RepairBlocks& m) {
  std::vector<uint8_t> heads;
  std::vector<uint8_t> out;
  for (std::span<const uint8_t> piece : RepairBlocksPieces(m, &heads)) out.insert(out.end(), piece.begin(), piece.end());
  return out;
}
Result<RepairBlocks> DecodeRepairBlocks(std::span<const uint8_t> p) {
  Reader r(p);
  RepairBlocks m;
  m.offset = r.U64();
  m.end = r.U64();
  const uint32_t n = r.U32();
  if (p.size() < kRepairBlocksHead || (p.size() - kRepairBlocksHead) / kRepairRunHead < n)
    return InvalidArgument("malformed REPAIR_BLOCKS payload");
  m.runs.resize(n);
  size_t pos = kRepairBlocksHead;
  for (RepairRun& run : m.runs) {
    run.offset = r.U64();
    run.length = r.U32();
    run.zero = r.U16() != 0;
    pos += kRepairRunHead;
    if (!run.zero) {
      if (p.size() - pos < run.length) return InvalidArgument("malformed REPAIR_BLOCKS payload");
      run.data = p.subspan(pos, run.length);
      pos += run.length;
      r.Skip(run.length);
    }
    if (run.offset < m.offset || run.offset > m.end || run.length > m.end - run.offset)
      return InvalidArgument("REPAIR_BLOCKS: run outside its range");
  }
  CDR_RETURN_IF_ERROR(r.Done("REPAIR_BLOCKS"));
  if (m.end <= m.offset) return InvalidArgument("REPAIR_BLOCKS: empty range");
  return m;
}

std::vector<std::span<const uint8_t>> RepairSendPieces(const RepairSend& m, std::vector<uint8_t>* heads) {
  Writer w;
  w.U64(m.base_seq);
  return BlocksPieces(m.blocks, std::move(w), 8, heads);
}

std::vector<uint8_t> EncodeRepairSend(const RepairSend& m) {
  std::vector<uint8_t> heads;
  std::vector<uint8_t> out;
  for (std::span<const uint8_t> piece : RepairSendPieces(m, &heads))
    out.insert(out.end(), piece.begin(), piece.end());
  return out;
}

Result<RepairSend> DecodeRepairSend(std::span<const uint8_t> p) {
  if (p.size() < 8) return InvalidArgument("malformed REPAIR_SEND payload");
  RepairSend m;
  m.base_seq = Reader(p.first(8)).U64();
  Result<RepairBlocks> blocks = DecodeRepairBlocks(p.subspan(8));
  if (!blocks.ok()) return InvalidArgument("REPAIR_SEND: " + blocks.status().message());
  m.blocks = std::move(*blocks);
  return m;
}

std::vector<uint8_t> EncodeRepairEnd(const RepairEnd& m) { return Writer().U64(m.base_seq).Take(); }
Result<RepairEnd> DecodeRepairEnd(std::span<const uint8_t> p) {
  Reader r(p);
  RepairEnd m;
  m.base_seq = r.U64();
  CDR_RETURN_IF_ERROR(r.Done("REPAIR_END"));
  return m;
}

const char* VerifyOutcomeName(VerifyOutcome outcome) {
  switch (outcome) {
    case VerifyOutcome::kSame:
      return "same";
    case VerifyOutcome::kDiffers:
      return "differs";
    case VerifyOutcome::kSkipped:
      return "skipped";
  }
  return "unknown";
}

std::vector<uint8_t> EncodeVerifyRange(const VerifyRange& m) {
  Writer w;
  w.U64(m.id).U64(m.seq).U64(m.offset).U32(m.length).U32(m.block_size);
  WriteHashes(w, m.hashes);
  return w.Take();
}
Result<VerifyRange> DecodeVerifyRange(std::span<const uint8_t> p) {
  Reader r(p);
  VerifyRange m;
  m.id = r.U64();
  m.seq = r.U64();
  m.offset = r.U64();
  m.length = r.U32();
  m.block_size = r.U32();
  if (!ReadHashes(r, p, 36, r.U32(), &m.hashes)) return InvalidArgument("malformed VERIFY_RANGE payload");
  const size_t n = m.hashes.size();
  CDR_RETURN_IF_ERROR(r.Done("VERIFY_RANGE"));
  if (m.block_size == 0 || m.length == 0) return InvalidArgument("VERIFY_RANGE: empty range or block size 0");
  if ((m.length + uint64_t{m.block_size} - 1) / m.block_size != n) {
    return InvalidArgument("VERIFY_RANGE: " + std::to_string(n) + " hashes for " + std::to_string(m.length) +
                           " bytes");
  }
  return m;
}

std::vector<uint8_t> EncodeVerifyResult(const VerifyResult& m) {
  return Writer()
      .U64(m.id)
      .U64(m.offset)
      .U32(m.length)
      .U16(static_cast<uint16_t>(m.outcome))
      .U32(m.differing_blocks)
      .U64(m.first_differing_offset)
      .Str(m.reason)
      .Take();
}
Result<VerifyResult> DecodeVerifyResult(std::span<const uint8_t> p) {
  Reader r(p);
  VerifyResult m;
  m.id = r.U64();
  m.offset = r.U64();
  m.length = r.U32();
  const uint16_t outcome = r.U16();
  m.differing_blocks = r.U32();
  m.first_differing_offset = r.U64();
  m.reason = r.Str();
  CDR_RETURN_IF_ERROR(r.Done("VERIFY_RESULT"));
  if (outcome < 1 || outcome > 3) return InvalidArgument("VERIFY_RESULT: unknown outcome " + std::to_string(outcome));
  m.outcome = static_cast<VerifyOutcome>(outcome);
  return m;
}

}  // namespace cdr::wire
