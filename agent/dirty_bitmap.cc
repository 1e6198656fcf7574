#include "agent/dirty_bitmap.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <xxhash.h>

#include "agent/io_status.h"

namespace cdr::agent {
namespace {

constexpr char kMagic[8] = {'C', 'D', 'R', 'B', 'M', 'A', 'P', '1'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kStateOpen = 1;
constexpr uint32_t kStateClean = 2;
constexpr size_t kHeaderBytes = 88;
constexpr uint64_t kWordsOffset = 4096;  // words start on a page of their own
constexpr size_t kBootIdBytes = 40;

std::string BootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id.substr(0, kBootIdBytes - 1);
}

struct Header {
  uint32_t state = 0;
  uint64_t granularity = 0;
  uint64_t disk_size = 0;
  std::string boot_id;
};

bool DecodeHeader(const uint8_t* in, Header* h) {
  uint64_t checksum;
  std::memcpy(&checksum, in + 80, 8);
  if (std::memcmp(in, kMagic, 8) != 0 || checksum != XXH3_64bits(in, 80)) return false;
  uint32_t version;
  std::memcpy(&version, in + 8, 4);
  if (version != kVersion) return false;
  std::memcpy(&h->state, in + 12, 4);
  std::memcpy(&h->granularity, in + 16, 8);
  std::memcpy(&h->disk_size, in + 24, 8);
  h->boot_id.assign(reinterpret_cast<const char*>(in + 32), strnlen(reinterpret_cast<const char*>(in + 32), kBootIdBytes));
  return true;
}

}  // namespace

const char* BitmapRecoveryName(BitmapRecovery r) {
  switch (r) {
    case BitmapRecovery::kNew: return "new";
    case BitmapRecovery::kClean: return "clean";
    case BitmapRecovery::kAgentCrash: return "agent_crash";
    case BitmapRecovery::kHostCrash: return "host_crash";
    case BitmapRecovery::kGeometryChanged: return "geometry_changed";
  }
  return "unknown";
}

DirtyBitmap::DirtyBitmap(int fd, uint64_t disk_size, uint64_t granularity)
    : fd_(fd), disk_size_(disk_size), granularity_(granularity) {
  const uint64_t bits = (disk_size + granularity - 1) / granularity;
  word_count_ = static_cast<size_t>((bits + 63) / 64);
}

DirtyBitmap::~DirtyBitmap() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_bytes_);
  ::close(fd_);
}

Status DirtyBitmap::Map() {
  mapping_bytes_ = kWordsOffset + word_count_ * 8;
  void* p = ::mmap(nullptr, mapping_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (p == MAP_FAILED) return ErrnoStatus("mmap bitmap", errno);
  mapping_ = p;
  words_ = reinterpret_cast<uint64_t*>(static_cast<uint8_t*>(p) + kWordsOffset);
  return Status::Ok();
}

Result<std::unique_ptr<DirtyBitmap>> DirtyBitmap::Open(const std::filesystem::path& path, uint64_t disk_size,
                                                       uint64_t granularity) {
  if (granularity == 0 || !std::has_single_bit(granularity)) {
    return InvalidArgument("bitmap granularity must be a power of two");
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("open " + path.string(), errno);
  std::unique_ptr<DirtyBitmap> bitmap(new DirtyBitmap(fd, disk_size, granularity));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    return FailedPrecondition(path.string() + " is in use by another agent");
  }
  const uint64_t file_bytes = kWordsOffset + bitmap->word_count_ * 8;
  struct stat st {};
  ::fstat(fd, &st);
  Header old;
  uint8_t raw[kHeaderBytes] = {};
  const bool existing = st.st_size > 0;
  const bool readable = existing && ::pread(fd, raw, sizeof raw, 0) == static_cast<ssize_t>(sizeof raw) &&
                        DecodeHeader(raw, &old) && static_cast<uint64_t>(st.st_size) == file_bytes;
  const bool same_geometry = readable && old.disk_size == disk_size && old.granularity == granularity;
  if (same_geometry) {
    CDR_RETURN_IF_ERROR(bitmap->Map());
    if (old.state == kStateClean) {
      bitmap->recovery_ = BitmapRecovery::kClean;
    } else {
      bitmap->recovery_ = old.boot_id == BootId() ? BitmapRecovery::kAgentCrash : BitmapRecovery::kHostCrash;
    }
  } else {
    // New, unreadable or resized: start over. Unless brand new, nothing is known, so everything is dirty.
    if (::ftruncate(fd, 0) != 0 || ::ftruncate(fd, static_cast<off_t>(file_bytes)) != 0) {
      return ErrnoStatus("truncate " + path.string(), errno);
    }
    CDR_RETURN_IF_ERROR(bitmap->Map());
    if (existing) {
      bitmap->recovery_ = BitmapRecovery::kGeometryChanged;
      CDR_RETURN_IF_ERROR(bitmap->Mark(0, disk_size));
    }
  }
  CDR_RETURN_IF_ERROR(bitmap->WriteHeader(kStateOpen));
  return bitmap;
}

Status DirtyBitmap::WriteHeader(uint32_t state) {
  uint8_t raw[kHeaderBytes] = {};
  std::memcpy(raw, kMagic, 8);
  std::memcpy(raw + 8, &kVersion, 4);
  std::memcpy(raw + 12, &state, 4);
  std::memcpy(raw + 16, &granularity_, 8);
  std::memcpy(raw + 24, &disk_size_, 8);
  const std::string boot_id = BootId();
  std::memcpy(raw + 32, boot_id.data(), boot_id.size());
  const uint64_t checksum = XXH3_64bits(raw, 80);
  std::memcpy(raw + 80, &checksum, 8);
  // Words first, then the header that vouches for them.
  if (::fdatasync(fd_) != 0 || ::pwrite(fd_, raw, sizeof raw, 0) != static_cast<ssize_t>(sizeof raw) ||
      ::fdatasync(fd_) != 0) {
    return ErrnoStatus("write bitmap header", errno);
  }
  return Status::Ok();
}

Status DirtyBitmap::UpdateBits(uint64_t first_bit, uint64_t last_bit, bool set) {
  for (uint64_t word = first_bit / 64; word <= last_bit / 64; ++word) {
    const uint64_t lo = word == first_bit / 64 ? first_bit % 64 : 0;
    const uint64_t hi = word == last_bit / 64 ? last_bit % 64 : 63;
    const uint64_t mask = (hi == 63 ? ~0ull : (1ull << (hi + 1)) - 1) & ~((1ull << lo) - 1);
    std::atomic_ref<uint64_t> w = Word(static_cast<size_t>(word));
    // Rewrites of dirty blocks are the common case: the page stays clean when nothing changes.
    const uint64_t current = w.load(std::memory_order_relaxed);
    if (set ? (current & mask) == mask : (current & mask) == 0) continue;
    if (set) {
      w.fetch_or(mask, std::memory_order_acq_rel);
    } else {
      w.fetch_and(~mask, std::memory_order_acq_rel);
    }
    unsynced_.store(true, std::memory_order_release);
  }
  return Status::Ok();
}

Status DirtyBitmap::Mark(uint64_t offset, uint64_t length) {
  if (length == 0 || offset >= disk_size_) return Status::Ok();
  const uint64_t end = std::min(disk_size_, offset + length);
  return UpdateBits(offset / granularity_, (end - 1) / granularity_, true);
}

Status DirtyBitmap::Clear(uint64_t offset, uint64_t length) {
  const uint64_t end = std::min(disk_size_, offset + length);
  const uint64_t first = (offset + granularity_ - 1) / granularity_;
  // The last block may be short (disk size not a multiple of the granularity): it is whole if the range
  // reaches the end of the disk.
  const uint64_t end_bit = end == disk_size_ ? (end + granularity_ - 1) / granularity_ : end / granularity_;
  if (end_bit <= first) return Status::Ok();
  return UpdateBits(first, end_bit - 1, false);
}

Status DirtyBitmap::ClearAll() {
  for (size_t i = 0; i < word_count_; ++i) {
    if (Word(i).load(std::memory_order_relaxed) != 0) Word(i).store(0, std::memory_order_relaxed);
  }
  unsynced_.store(true, std::memory_order_release);
  return Status::Ok();
}

Status DirtyBitmap::Sync() {
  return sync_.Run([this] {
    if (!unsynced_.exchange(false, std::memory_order_acq_rel)) return Status::Ok();
    if (::fdatasync(fd_) != 0) {
      unsynced_.store(true);
      return ErrnoStatus("fdatasync bitmap", errno);
    }
    return Status::Ok();
  });
}

Status DirtyBitmap::CloseClean() {
  CDR_RETURN_IF_ERROR(Sync());
  return WriteHeader(kStateClean);
}

bool DirtyBitmap::IsDirty(uint64_t offset) const {
  if (offset >= disk_size_) return false;
  const uint64_t bit = offset / granularity_;
  return (Word(bit / 64).load(std::memory_order_relaxed) >> (bit % 64)) & 1;
}

uint64_t DirtyBitmap::CountDirtyBlocks() const {
  uint64_t n = 0;
  for (size_t i = 0; i < word_count_; ++i) n += std::popcount(Word(i).load(std::memory_order_relaxed));
  return n;
}

std::vector<DirtyRange> DirtyBitmap::DirtyRanges() const {
  std::vector<DirtyRange> out;
  const uint64_t bits = (disk_size_ + granularity_ - 1) / granularity_;
  for (uint64_t bit = 0; bit < bits; ++bit) {
    if (!((Word(bit / 64).load(std::memory_order_relaxed) >> (bit % 64)) & 1)) continue;
    const uint64_t offset = bit * granularity_;
    const uint64_t length = std::min(granularity_, disk_size_ - offset);
    if (!out.empty() && out.back().offset + out.back().length == offset) {
      out.back().length += length;
    } else {
      out.push_back({offset, length});
    }
  }
  return out;
}

}  // namespace cdr::agent
