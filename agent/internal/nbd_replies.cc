#include "agent/internal/nbd_replies.h"

#include "agent/internal/socket_io.h"
#include "agent/nbd_protocol.h"

namespace cdr::agent::internal {

bool NbdReplies::Simple(uint64_t cookie, uint32_t error) {
  uint8_t header[nbd::kSimpleReplySize];
  PutU32(header, nbd::kSimpleReplyMagic);
  PutU32(header + 4, error);
  PutU64(header + 8, cookie);
  struct iovec iov[1] = {{header, sizeof header}};
  return Send(iov, 1);
}

bool NbdReplies::ReadData(uint64_t cookie, uint64_t offset, std::span<const uint8_t> data) {
  if (!structured_) {
    uint8_t header[nbd::kSimpleReplySize];
    PutU32(header, nbd::kSimpleReplyMagic);
    PutU32(header + 4, 0);
    PutU64(header + 8, cookie);
    struct iovec iov[2] = {{header, sizeof header}, {const_cast<uint8_t*>(data.data()), data.size()}};
    return Send(iov, data.empty() ? 1 : 2);
  }
  uint8_t head[8];
  PutU64(head, offset);
  return Chunk(cookie, nbd::kReplyTypeOffsetData, head, data);
}

bool NbdReplies::ReadError(uint64_t cookie, uint32_t error) {
  if (!structured_) return Simple(cookie, error);
  uint8_t head[6];
  PutU32(head, error);
  PutU16(head + 4, 0);  // no message
  return Chunk(cookie, nbd::kReplyTypeError, head, {});
}

bool NbdReplies::BlockStatus(uint64_t cookie, uint32_t context_id, const std::vector<Extent>& extents) {
  std::vector<uint8_t> descriptors(4 + 8 * extents.size());
  PutU32(descriptors.data(), context_id);
  uint8_t* p = descriptors.data() + 4;
  for (const Extent& e : extents) {
    PutU32(p, static_cast<uint32_t>(e.length));
    PutU32(p + 4, e.hole ? nbd::kStateHole | nbd::kStateZero : 0);
    p += 8;
  }
  return Chunk(cookie, nbd::kReplyTypeBlockStatus, descriptors, {});
}

bool NbdReplies::Chunk(uint64_t cookie, uint16_t type, std::span<const uint8_t> head,
                       std::span<const uint8_t> data) {
  uint8_t header[nbd::kStructuredReplySize];
  PutU32(header, nbd::kStructuredReplyMagic);
  PutU16(header + 4, nbd::kReplyFlagDone);
  PutU16(header + 6, type);
  PutU64(header + 8, cookie);
  PutU32(header + 16, static_cast<uint32_t>(head.size() + data.size()));
  struct iovec iov[3] = {{header, sizeof header},
                         {const_cast<uint8_t*>(head.data()), head.size()},
                         {const_cast<uint8_t*>(data.data()), data.size()}};
  return Send(iov, data.empty() ? 2 : 3);
}

bool NbdReplies::Send(struct iovec* iov, int count) {
  size_t bytes = 0;
  for (int i = 0; i < count; ++i) bytes += iov[i].iov_len;
  std::unique_lock lock(mutex_);
  if (failed_) return false;
  if (sending_ && bytes <= kMaxCombinedReply && pending_.size() + bytes <= kMaxPendingBytes) {
    for (int i = 0; i < count; ++i) {
      const auto* p = static_cast<const uint8_t*>(iov[i].iov_base);
      pending_.insert(pending_.end(), p, p + iov[i].iov_len);
    }
    return true;
  }
  turn_.wait(lock, [&] { return !sending_; });
  if (failed_) return false;
  sending_ = true;
  lock.unlock();
  bool ok = WriteVecFull(stream_, iov, count);
  lock.lock();
  while (ok && !pending_.empty()) {
    out_.swap(pending_);  // pending_ keeps the capacity out_ had
    lock.unlock();
    ok = WriteFull(stream_, out_.data(), out_.size());
    out_.clear();
    lock.lock();
  }
  if (!ok) {
    failed_ = true;
    pending_.clear();
  }
  sending_ = false;
  lock.unlock();
  turn_.notify_all();
  return ok;
}

}  // namespace cdr::agent::internal
