#include "agent/internal/segment_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/internal/journal_format.h"

namespace cdr::agent::internal {
namespace {

// Bytes read (short only at end of file), or -1 on an I/O error.
ssize_t PreadFull(int fd, uint8_t* buf, size_t n, uint64_t pos) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, buf + done, n - done, static_cast<off_t>(pos + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  return static_cast<ssize_t>(done);
}

}  // namespace

ReadResult ReadRecordAt(int fd, uint64_t pos, uint64_t expected_seq, std::vector<uint8_t>* buffer,
                        JournalRecord* record) {
  uint8_t header[kRecordHeaderSize];
  ssize_t n = PreadFull(fd, header, sizeof header, pos);
  if (n < 0) return {ReadOutcome::kCorrupt, std::string("read error: ") + std::strerror(errno)};
  if (n == 0) return {ReadOutcome::kEnd, ""};
  if (static_cast<size_t>(n) < sizeof header) {
    return {ReadOutcome::kTorn, "record header cut short after " + std::to_string(n) + " bytes"};
  }
  std::optional<JournalRecord> decoded = DecodeRecordHeader(header);
  if (!decoded) return {ReadOutcome::kCorrupt, "record header checksum mismatch"};
  if (decoded->seq != expected_seq) {
    return {ReadOutcome::kCorrupt,
            "seq " + std::to_string(decoded->seq) + " where " + std::to_string(expected_seq) + " was expected"};
  }
  if (decoded->kind == RecordKind::kWrite) {
    if (buffer->size() < decoded->length) buffer->resize(decoded->length);
    n = PreadFull(fd, buffer->data(), decoded->length, pos + kRecordHeaderSize);
    if (n < 0) return {ReadOutcome::kCorrupt, std::string("read error: ") + std::strerror(errno)};
    if (static_cast<uint64_t>(n) < decoded->length) {
      return {ReadOutcome::kTorn, "record data cut short: " + std::to_string(n) + " of " +
                                      std::to_string(decoded->length) + " bytes"};
    }
    if (DataChecksum(buffer->data(), decoded->length) != decoded->checksum) {
      return {ReadOutcome::kCorrupt, "data checksum mismatch"};
    }
    decoded->data = std::span<const uint8_t>(buffer->data(), decoded->length);
  } else if (decoded->checksum != 0) {
    return {ReadOutcome::kCorrupt, "data checksum set on a record without data"};
  }
  *record = *decoded;
  return {ReadOutcome::kRecord, ""};
}

bool ReadSegmentHeader(int fd, uint64_t* first_seq) {
  uint8_t header[kSegmentHeaderSize];
  if (PreadFull(fd, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) return false;
  std::optional<SegmentHeader> decoded = DecodeSegmentHeader(header);
  if (!decoded) return false;
  *first_seq = decoded->first_seq;
  return true;
}

}  // namespace cdr::agent::internal
