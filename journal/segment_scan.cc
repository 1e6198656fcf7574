#include "journal/segment_scan.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "journal/format.h"

namespace cdr::journal {
namespace {

// Headers of small records sit close together: one large read covers many of them.
constexpr size_t kWindowBytes = 1 << 20;

class WindowedReader {
 public:
  WindowedReader(int fd, uint64_t file_size) : fd_(fd), file_size_(file_size) {}

  // Points *out at `n` bytes at `pos` (pos + n <= file size), reading more when they are outside the window.
  Status Get(uint64_t pos, size_t n, const uint8_t** out) {
    if (pos < window_pos_ || pos + n > window_pos_ + window_len_) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(std::max(kWindowBytes, n), file_size_ - pos));
      if (buffer_.size() < want) buffer_.resize(want);
      CDR_RETURN_IF_ERROR(ReadAt(pos, want, buffer_.data(), &window_len_));
      window_pos_ = pos;
      if (window_len_ < n) return DataLoss("file shorter than its size");
    }
    *out = buffer_.data() + (pos - window_pos_);
    return Status::Ok();
  }

  Status ReadAt(uint64_t pos, size_t want, uint8_t* into, size_t* done) const {
    *done = 0;
    while (*done < want) {
      ssize_t r = ::pread(fd_, into + *done, want - *done, static_cast<off_t>(pos + *done));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return Internal(std::string("read error: ") + std::strerror(errno));
      if (r == 0) break;
      *done += static_cast<size_t>(r);
    }
    return Status::Ok();
  }

 private:
  int fd_;
  uint64_t file_size_;
  std::vector<uint8_t> buffer_;
  uint64_t window_pos_ = 0;
  size_t window_len_ = 0;
};

enum class Damage { kNone, kTorn, kCorrupt };

struct Step {
  Damage damage = Damage::kNone;
  std::string why;
  Record record;
};

// Judges the record at `pos` (pos < size).
Result<Step> ReadStep(WindowedReader& reader, uint64_t pos, uint64_t size, uint64_t expected_seq,
                      bool verify_data, std::vector<uint8_t>* data) {
  Step step;
  if (size - pos < kRecordHeaderSize) return Step{Damage::kTorn, "record header cut short", {}};
  const uint8_t* raw = nullptr;
  CDR_RETURN_IF_ERROR(reader.Get(pos, kRecordHeaderSize, &raw));
  std::optional<Record> header = DecodeRecordHeader(raw, expected_seq, &step.why);
  if (!header) return Step{Damage::kCorrupt, step.why, {}};
  if (RecordDiskSize(header->kind, header->length) > size - pos) {
    return Step{Damage::kTorn, "record data cut short", {}};
  }
  if (verify_data && header->kind == RecordKind::kWrite) {
    data->resize(header->length);
    size_t done = 0;
    CDR_RETURN_IF_ERROR(reader.ReadAt(pos + kRecordHeaderSize, header->length, data->data(), &done));
    if (done < header->length) return Step{Damage::kTorn, "record data cut short", {}};
    if (DataChecksum(data->data(), header->length) != header->checksum) {
      return Step{Damage::kCorrupt, "data checksum mismatch", {}};
    }
    header->data = std::span<const uint8_t>(data->data(), header->length);
  }
  step.record = *header;
  return step;
}

Status CutTail(int fd, const std::filesystem::path& path, uint64_t pos) {
  if (::ftruncate(fd, static_cast<off_t>(pos)) != 0 || ::fdatasync(fd) != 0) {
    return Internal("truncate " + path.string() + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

Result<ScanResult> ScanSegment(int fd, const std::filesystem::path& path, uint64_t first_seq, ScanOptions options,
                               const RecordVisitor& visit) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Internal("fstat " + path.string() + ": " + std::strerror(errno));
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  WindowedReader reader(fd, size);
  const uint8_t* raw = nullptr;
  std::optional<SegmentHeader> segment;
  if (size >= kSegmentHeaderSize) {
    CDR_RETURN_IF_ERROR(reader.Get(0, kSegmentHeaderSize, &raw));
    segment = DecodeSegmentHeader(raw);
  }
  if (!segment || segment->first_seq != first_seq) {
    return DataLoss(path.string() + ": damaged segment header (expected first seq " + std::to_string(first_seq) +
                    ")");
  }
  ScanResult result{first_seq, kSegmentHeaderSize, 0, 0, ""};
  std::vector<uint8_t> data;
  while (result.end_pos < size) {
    Result<Step> step = ReadStep(reader, result.end_pos, size, result.next_seq, options.verify_data, &data);
    if (!step.ok()) return step.status();
    if (step->damage != Damage::kNone) {
      const std::string where = path.string() + " offset " + std::to_string(result.end_pos);
      result.tail_bytes = size - result.end_pos;
      result.tail_detail = step->why + " at " + where + " (seq " + std::to_string(result.next_seq) + ")";
      const bool stop = options.tail == TailPolicy::kCutDamaged ||
                        (options.tail == TailPolicy::kStopAtTorn && step->damage == Damage::kTorn);
      if (!stop) return DataLoss(result.tail_detail);
      if (options.tail == TailPolicy::kCutDamaged) CDR_RETURN_IF_ERROR(CutTail(fd, path, result.end_pos));
      return result;
    }
    if (visit) visit(step->record, result.end_pos + kRecordHeaderSize);
    result.end_pos += RecordDiskSize(step->record.kind, step->record.length);
    result.last_time_ns = step->record.time_ns;
    ++result.next_seq;
  }
  return result;
}

}  // namespace cdr::journal
