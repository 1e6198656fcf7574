#include "shadow/cdp_log.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace cdr::shadow {
namespace fs = std::filesystem;
namespace {

// Layout constants of docs/journal-format.md (the agent journal); kept equal so both read the same files.
constexpr char kSegmentMagic[8] = {'C', 'D', 'R', 'J', 'R', 'N', 'L', '1'};
constexpr uint32_t kSegmentHeaderSize = 64;
constexpr uint32_t kRecordMagic = 0x52524443;
constexpr uint32_t kRecordHeaderSize = 56;

void Put32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }  // little-endian hosts only, as the agent
void Put64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }
uint64_t Get64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

Status Errno(const std::string& what) { return Internal(what + ": " + std::strerror(errno)); }

std::string SegmentName(uint64_t first_seq) {
  char name[64];
  std::snprintf(name, sizeof name, "seg-%020llu.journal", static_cast<unsigned long long>(first_seq));
  return name;
}

uint64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

bool PreadFull(int fd, uint8_t* buf, size_t n, uint64_t pos) {
  while (n > 0) {
    ssize_t r = ::pread(fd, buf, n, static_cast<off_t>(pos));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    buf += r, n -= static_cast<size_t>(r), pos += static_cast<uint64_t>(r);
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<CdpLog>> CdpLog::Open(const fs::path& dir, uint64_t segment_bytes) {
  std::unique_ptr<CdpLog> log(new CdpLog(dir, segment_bytes));
  CDR_RETURN_IF_ERROR(log->Recover());
  return log;
}

CdpLog::~CdpLog() {
  if (fd_ >= 0) ::close(fd_);
}

// Finds the newest segment and the end of its last valid record; a torn tail (kill -9 mid-append) is cut.
Status CdpLog::Recover() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return Internal("create " + dir_.string() + ": " + ec.message());
  uint64_t newest = 0;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    const std::string n = e.path().filename().string();
    if (e.path().extension() == ".tmp") fs::remove(e.path(), ec);
    if (n.size() == 32 && n.rfind("seg-", 0) == 0 && n.ends_with(".journal")) {
      newest = std::max<uint64_t>(newest, std::stoull(n.substr(4, 20)));
    }
  }
  if (newest == 0) return Status::Ok();  // empty: the first Append creates a segment at its seq
  const fs::path path = dir_ / SegmentName(newest);
  fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0) return Errno("open " + path.string());
  uint8_t sh[kSegmentHeaderSize];
  if (!PreadFull(fd_, sh, sizeof sh, 0) || std::memcmp(sh, kSegmentMagic, 8) != 0 ||
      Get64(sh + 56) != XXH3_64bits(sh, 56) || Get64(sh + 16) != newest) {
    return DataLoss("CDP segment " + path.string() + " has a damaged header");
  }
  uint64_t pos = kSegmentHeaderSize, seq = newest;
  std::vector<uint8_t> data;
  uint8_t h[kRecordHeaderSize];
  while (PreadFull(fd_, h, sizeof h, pos)) {
    uint32_t magic;
    uint16_t kind;
    std::memcpy(&magic, h, 4);
    std::memcpy(&kind, h + 4, 2);
    if (magic != kRecordMagic || Get64(h + 48) != XXH3_64bits(h, 48) || Get64(h + 8) != seq) break;
    const uint64_t length = kind == 1 ? Get64(h + 32) : 0;
    data.resize(length);
    if (length > 0 && (!PreadFull(fd_, data.data(), length, pos + kRecordHeaderSize) ||
                       XXH3_64bits(data.data(), length) != Get64(h + 40))) {
      break;
    }
    pos += kRecordHeaderSize + length;
    ++seq;
  }
  struct stat st {};
  ::fstat(fd_, &st);
  if (static_cast<uint64_t>(st.st_size) > pos) {
    spdlog::warn("cdp log {}: cutting {} bytes after seq {}", path.string(), st.st_size - pos, seq - 1);
    if (::ftruncate(fd_, static_cast<off_t>(pos)) != 0) return Errno("truncate " + path.string());
  }
  segment_size_ = pos;
  next_seq_ = seq;
  return Status::Ok();
}

Status CdpLog::CreateSegment(uint64_t first_seq) {
  if (fd_ >= 0) {
    if (::fdatasync(fd_) != 0) return Errno("fdatasync cdp segment");
    ::close(fd_);
    fd_ = -1;
  }
  const fs::path path = dir_ / SegmentName(first_seq);
  const std::string tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create " + tmp);
  uint8_t h[kSegmentHeaderSize] = {};
  std::memcpy(h, kSegmentMagic, 8);
  Put32(h + 8, 1);
  Put32(h + 12, kSegmentHeaderSize);
  Put64(h + 16, first_seq);
  Put64(h + 24, NowNs());
  Put64(h + 56, XXH3_64bits(h, 56));
  if (::pwrite(fd, h, sizeof h, 0) != static_cast<ssize_t>(sizeof h) || ::fdatasync(fd) != 0 ||
      ::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Errno("create " + path.string());
    ::close(fd);
    return s;
  }
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) ::fsync(dfd), ::close(dfd);
  fd_ = fd;
  segment_size_ = kSegmentHeaderSize;
  next_seq_ = first_seq;
  return Status::Ok();
}

Status CdpLog::Append(const CdpRecord& r) {
  if (fd_ >= 0 && r.seq < next_seq_) return Status::Ok();  // already logged before a crash or reconnect
  const uint64_t size = kRecordHeaderSize + r.data.size();
  if (fd_ < 0 || r.seq > next_seq_ ||
      (segment_size_ > kSegmentHeaderSize && segment_size_ + size > segment_bytes_)) {
    CDR_RETURN_IF_ERROR(CreateSegment(r.seq));
  }
  uint8_t h[kRecordHeaderSize] = {};
  Put32(h, kRecordMagic);
  std::memcpy(h + 4, &r.kind, 2);
  std::memcpy(h + 6, &r.flags, 2);
  Put64(h + 8, r.seq);
  Put64(h + 16, r.time_ns);
  Put64(h + 24, r.offset);
  Put64(h + 32, r.length);
  Put64(h + 40, r.checksum);
  Put64(h + 48, XXH3_64bits(h, 48));
  struct iovec iov[2] = {{h, sizeof h}, {const_cast<uint8_t*>(r.data.data()), r.data.size()}};
  const ssize_t want = static_cast<ssize_t>(size);
  ssize_t n;
  do {
    n = ::pwritev(fd_, iov, r.data.empty() ? 1 : 2, static_cast<off_t>(segment_size_));
  } while (n < 0 && errno == EINTR);
  if (n != want) {
    (void)::ftruncate(fd_, static_cast<off_t>(segment_size_));
    return Errno("append to cdp log " + dir_.string());
  }
  segment_size_ += size;
  next_seq_ = r.seq + 1;
  return Status::Ok();
}

Status CdpLog::Sync() {
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) return Errno("fdatasync cdp log " + dir_.string());
  return Status::Ok();
}

}  // namespace cdr::shadow
