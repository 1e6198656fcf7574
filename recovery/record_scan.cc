#include "recovery/record_scan.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/internal/journal_format.h"

namespace cdr::recovery {
namespace {

using agent::internal::kRecordHeaderSize;
using agent::internal::kSegmentHeaderSize;

// Headers of small records sit close together: one large read covers many of them.
constexpr size_t kWindowBytes = 1 << 20;

class WindowedReader {
 public:
  WindowedReader(int fd, uint64_t file_size) : fd_(fd), file_size_(file_size), buffer_(kWindowBytes) {}

  // Points *out at `n` bytes at `pos`, reading more when they are outside the window.
  Status Get(uint64_t pos, size_t n, const uint8_t** out) {
    if (pos < window_pos_ || pos + n > window_pos_ + window_len_) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(kWindowBytes, file_size_ - pos));
      size_t done = 0;
      while (done < want) {
        ssize_t r = ::pread(fd_, buffer_.data() + done, want - done, static_cast<off_t>(pos + done));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return Internal(std::string("read error: ") + std::strerror(errno));
        if (r == 0) break;
        done += static_cast<size_t>(r);
      }
      window_pos_ = pos;
      window_len_ = done;
      if (done < n) return DataLoss("file shorter than its size");
    }
    *out = buffer_.data() + (pos - window_pos_);
    return Status::Ok();
  }

 private:
  int fd_;
  uint64_t file_size_;
  std::vector<uint8_t> buffer_;
  uint64_t window_pos_ = 0;
  size_t window_len_ = 0;
};

}  // namespace

Status ScanSegmentHeaders(int fd, const std::filesystem::path& path, uint64_t first_seq, uint32_t file_index,
                          bool tolerate_torn_tail, std::vector<RecordRef>* out) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Internal("fstat " + path.string() + ": " + std::strerror(errno));
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < kSegmentHeaderSize) return DataLoss(path.string() + ": segment header cut short");
  WindowedReader reader(fd, size);
  const uint8_t* raw = nullptr;
  CDR_RETURN_IF_ERROR(reader.Get(0, kSegmentHeaderSize, &raw));
  std::optional<agent::internal::SegmentHeader> segment = agent::internal::DecodeSegmentHeader(raw);
  if (!segment || segment->first_seq != first_seq) {
    return DataLoss(path.string() + ": damaged segment header (expected first seq " +
                    std::to_string(first_seq) + ")");
  }
  uint64_t pos = kSegmentHeaderSize;
  uint64_t expected_seq = first_seq;
  while (pos < size) {
    const std::string where = path.string() + " offset " + std::to_string(pos);
    if (size - pos < kRecordHeaderSize) {
      if (tolerate_torn_tail) break;
      return DataLoss("record header cut short at " + where);
    }
    CDR_RETURN_IF_ERROR(reader.Get(pos, kRecordHeaderSize, &raw));
    std::optional<agent::JournalRecord> header = agent::internal::DecodeRecordHeader(raw);
    if (!header) return DataLoss("corrupt record header at " + where);
    if (header->seq != expected_seq) {
      return DataLoss("seq " + std::to_string(header->seq) + " where " + std::to_string(expected_seq) +
                      " was expected at " + where);
    }
    const uint64_t disk_size = agent::internal::RecordDiskSize(header->kind, header->length);
    if (disk_size > size - pos) {
      if (tolerate_torn_tail) break;
      return DataLoss("record data cut short at " + where);
    }
    out->push_back(RecordRef{header->seq, header->time_ns, header->offset, header->length, header->kind,
                             file_index, pos + kRecordHeaderSize});
    pos += disk_size;
    ++expected_seq;
  }
  return Status::Ok();
}

}  // namespace cdr::recovery
