#include "journal/reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "journal/format.h"
#include "journal/record_io.h"

namespace cdr::journal {
namespace fs = std::filesystem;

Result<std::unique_ptr<JournalReader>> JournalReader::Open(const fs::path& dir, uint64_t from_seq,
                                                           uint64_t up_to_seq) {
  std::vector<SegmentFile> segments = ListSegments(dir);
  if (segments.empty()) return NotFound("no journal segments in " + dir.string());
  if (from_seq < segments.front().first_seq) {
    return FailedPrecondition("journal seq " + std::to_string(from_seq) + " was released; oldest is " +
                              std::to_string(segments.front().first_seq));
  }
  std::unique_ptr<JournalReader> reader(new JournalReader(dir, from_seq, up_to_seq));
  const SegmentFile* start = &segments.front();
  for (const auto& s : segments) {
    if (s.first_seq <= from_seq) start = &s;
  }
  CDR_RETURN_IF_ERROR(reader->OpenSegment(*start));
  return reader;
}

JournalReader::~JournalReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status JournalReader::OpenSegment(const SegmentFile& segment) {
  int fd = ::open(segment.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Internal("open " + segment.path.string() + ": " + std::strerror(errno));
  uint64_t first_seq = 0;
  if (!ReadSegmentHeader(fd, &first_seq) || first_seq != segment.first_seq) {
    ::close(fd);
    return DataLoss("corrupt record: damaged segment header in " + segment.path.string());
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  segment_path_ = segment.path;
  segment_first_seq_ = first_seq;
  pos_ = kSegmentHeaderSize;
  expected_seq_ = first_seq;
  return Status::Ok();
}

Result<bool> JournalReader::AdvanceSegment() {
  for (const auto& s : ListSegments(dir_)) {
    // The segment being read is never "the next" one: an empty newest segment starts at expected_seq_ too, and
    // reopening it would loop forever.
    if (fd_ >= 0 && s.first_seq <= segment_first_seq_) continue;
    if (s.first_seq == expected_seq_) {
      // A newer segment only appears after this one's last record was written, so one more look at the
      // current position decides: anything there is read first (the caller loops back to it).
      Record probe;
      if (ReadRecordAt(fd_, pos_, expected_seq_, &buffer_, &probe).outcome !=
          ReadOutcome::kEnd) {
        return true;
      }
      CDR_RETURN_IF_ERROR(OpenSegment(s));
      return true;
    }
    if (s.first_seq > expected_seq_) {
      return DataLoss("corrupt record: journal jumps from seq " + std::to_string(expected_seq_ - 1) + " to " +
                      std::to_string(s.first_seq) + " at " + s.path.string());
    }
  }
  return false;
}

Result<bool> JournalReader::Next(Record* record) {
  while (true) {
    if (expected_seq_ > up_to_seq_) return false;
    ReadResult r = ReadRecordAt(fd_, pos_, expected_seq_, &buffer_, record);
    const std::string where = segment_path_.string() + " offset " + std::to_string(pos_);
    switch (r.outcome) {
      case ReadOutcome::kRecord:
        pos_ += RecordDiskSize(record->kind, record->length);
        ++expected_seq_;
        if (record->seq < from_seq_) continue;
        return true;
      case ReadOutcome::kEnd: {
        Result<bool> advanced = AdvanceSegment();
        if (!advanced.ok() || !*advanced) return advanced;
        continue;
      }
      case ReadOutcome::kTorn: {
        bool newer = false;
        for (const auto& s : ListSegments(dir_)) newer |= s.first_seq > segment_first_seq_;
        if (newer) {
          return DataLoss("corrupt record at seq " + std::to_string(expected_seq_) + " before a newer segment: " +
                          where + ": " + r.detail);
        }
        return DataLoss("torn tail at seq " + std::to_string(expected_seq_) + ": " + where + ": " + r.detail);
      }
      case ReadOutcome::kCorrupt:
        return DataLoss("corrupt record at seq " + std::to_string(expected_seq_) + ": " + where + ": " + r.detail);
    }
  }
}

}  // namespace cdr::journal
