// Transmission phase: one request at a time, in order, with simple replies. The payload buffer is reused for
// the whole connection (grown to the largest request seen, bounded by kMaxPayload), so a 4 KiB write costs a
// header read, a payload read, the pipeline's pwrites and one reply send: no allocation.
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "agent/internal/nbd_session.h"
#include "agent/internal/socket_io.h"
#include "agent/io_status.h"
#include "agent/nbd_protocol.h"

namespace cdr::agent::internal {
namespace {

class Transmission {
 public:
  Transmission(int fd, const NbdExport& exp) : fd_(fd), exp_(exp), device_(*exp.device) {}

  void Run() {
    while (true) {
      uint8_t request[nbd::kRequestSize];
      if (!ReadFull(fd_, request, sizeof request)) return;
      if (GetU32(request) != nbd::kRequestMagic) {
        spdlog::warn("nbd {}: bad request magic, closing", exp_.name);
        return;
      }
      const uint16_t flags = GetU16(request + 4);
      const auto type = static_cast<nbd::Cmd>(GetU16(request + 6));
      const uint64_t cookie = GetU64(request + 8);
      const uint64_t offset = GetU64(request + 16);
      const uint32_t length = GetU32(request + 24);
      if (type == nbd::Cmd::kDisc) return;
      if (!Handle(type, flags, cookie, offset, length)) return;
    }
  }

 private:
  bool InRange(uint64_t offset, uint64_t length) const {
    const uint64_t size = device_.Size();
    return offset <= size && length <= size - offset;
  }

  bool Reply(uint64_t cookie, uint32_t error, const uint8_t* data = nullptr, size_t length = 0) {
    uint8_t header[nbd::kSimpleReplySize];
    PutU32(header, nbd::kSimpleReplyMagic);
    PutU32(header + 4, error);
    PutU64(header + 8, cookie);
    struct iovec iov[2] = {{header, sizeof header}, {const_cast<uint8_t*>(data), length}};
    return WriteVecFull(fd_, iov, data != nullptr && length > 0 ? 2 : 1);
  }

  bool ReplyStatus(uint64_t cookie, const char* what, const Status& status) {
    if (!status.ok()) spdlog::warn("nbd {}: {} failed: {}", exp_.name, what, status.ToString());
    return Reply(cookie, NbdErrorFor(status));
  }

  uint8_t* Buffer(uint32_t length) {
    if (buffer_.size() < length) buffer_.resize(length);
    return buffer_.data();
  }

  bool Handle(nbd::Cmd type, uint16_t flags, uint64_t cookie, uint64_t offset, uint32_t length) {
    const bool fua = flags & nbd::kCmdFlagFua;
    // FUA is valid on every command once negotiated; NO_HOLE only on WRITE_ZEROES; nothing else was offered.
    const uint16_t allowed = nbd::kCmdFlagFua | (type == nbd::Cmd::kWriteZeroes ? nbd::kCmdFlagNoHole : 0);
    if ((flags & ~allowed) != 0) {
      spdlog::warn("nbd {}: command {} with unknown flags {:#x} refused", exp_.name, static_cast<int>(type),
                   flags);
      if (type == nbd::Cmd::kWrite && (length > nbd::kMaxPayload || !Discard(fd_, length))) return false;
      return Reply(cookie, nbd::kEInval);
    }
    switch (type) {
      case nbd::Cmd::kRead: {
        if (length > nbd::kMaxPayload || !InRange(offset, length)) return Reply(cookie, nbd::kEInval);
        uint8_t* buf = Buffer(length);
        Status s = device_.Read(offset, std::span(buf, length));
        if (!s.ok()) return ReplyStatus(cookie, "read", s);
        return Reply(cookie, 0, buf, length);
      }
      case nbd::Cmd::kWrite: {
        // Too big to buffer: the payload cannot be skipped cheaply, and the spec allows a hard disconnect.
        if (length > nbd::kMaxPayload) return false;
        uint8_t* buf = Buffer(length);
        if (!ReadFull(fd_, buf, length)) return false;
        if (!InRange(offset, length)) return Reply(cookie, nbd::kEInval);
        if (length == 0) return Reply(cookie, 0);
        return ReplyStatus(cookie, "write", device_.Write(offset, std::span<const uint8_t>(buf, length), fua));
      }
      case nbd::Cmd::kFlush:
        return ReplyStatus(cookie, "flush", device_.Flush());
      case nbd::Cmd::kTrim:
        if (!InRange(offset, length)) return Reply(cookie, nbd::kEInval);
        if (length == 0) return Reply(cookie, 0);
        return ReplyStatus(cookie, "trim", device_.Trim(offset, length, fua));
      case nbd::Cmd::kWriteZeroes:
        if (!InRange(offset, length)) return Reply(cookie, nbd::kEInval);
        if (length == 0) return Reply(cookie, 0);
        return ReplyStatus(cookie, "write_zeroes",
                           device_.WriteZeroes(offset, length, !(flags & nbd::kCmdFlagNoHole), fua));
      default:
        return Reply(cookie, nbd::kEInval);
    }
  }

  int fd_;
  const NbdExport& exp_;
  BlockDevice& device_;
  std::vector<uint8_t> buffer_;
};

}  // namespace

void ServeTransmission(int fd, const NbdExport& exp) { Transmission(fd, exp).Run(); }

}  // namespace cdr::agent::internal
