#include "journal/segment_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/clock.h"
#include "journal/format.h"

namespace cdr::journal {
namespace fs = std::filesystem;
namespace {

constexpr char kPrefix[] = "seg-";
constexpr char kSuffix[] = ".journal";
constexpr char kTempSuffix[] = ".journal.tmp";

Status Errno(const std::string& what, int err) { return Internal(what + ": " + std::strerror(err)); }

}  // namespace

std::string SegmentFileName(uint64_t first_seq) {
  char name[64];
  std::snprintf(name, sizeof name, "seg-%020llu.journal", static_cast<unsigned long long>(first_seq));
  return name;
}

std::vector<SegmentFile> ListSegments(const fs::path& dir) {
  std::vector<SegmentFile> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) continue;
    const std::string digits = name.substr(sizeof kPrefix - 1, name.size() - (sizeof kPrefix - 1) - (sizeof kSuffix - 1));
    if (digits.empty() || digits.size() > 20 || digits.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    unsigned long long seq = 0;
    if (std::sscanf(digits.c_str(), "%llu", &seq) != 1) continue;
    out.push_back({seq, entry.path()});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first_seq < b.first_seq; });
  return out;
}

void RemoveUnfinishedSegments(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().ends_with(kTempSuffix)) fs::remove(entry.path(), ec);
  }
}

Status SyncDirectory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + dir.string(), errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("fsync " + dir.string(), err);
}

Result<int> CreateSegment(const fs::path& dir, uint64_t first_seq) {
  const fs::path path = dir / SegmentFileName(first_seq);
  const fs::path tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create " + tmp.string(), errno);
  uint8_t header[kSegmentHeaderSize];
  EncodeSegmentHeader({first_seq, static_cast<uint64_t>(NowUnixNanos())}, header);
  if (::pwrite(fd, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header) || ::fdatasync(fd) != 0 ||
      ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::close(fd);
    return Errno("create " + path.string(), err);
  }
  if (Status s = SyncDirectory(dir); !s.ok()) {
    ::close(fd);
    return s;
  }
  return fd;
}

}  // namespace cdr::journal
