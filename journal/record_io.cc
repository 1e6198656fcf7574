#include "journal/record_io.h"

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "common/iovec_cursor.h"
#include "journal/format.h"

namespace cdr::journal {
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

ReadResult ReadError() { return {ReadOutcome::kCorrupt, std::string("read error: ") + std::strerror(errno)}; }

}  // namespace

ReadResult ReadRecordAt(int fd, uint64_t pos, uint64_t expected_seq, std::vector<uint8_t>* buffer,
                        Record* record) {
  uint8_t header[kRecordHeaderSize];
  ssize_t n = PreadFull(fd, header, sizeof header, pos);
  if (n < 0) return ReadError();
  if (n == 0) return {ReadOutcome::kEnd, ""};
  if (static_cast<size_t>(n) < sizeof header) {
    return {ReadOutcome::kTorn, "record header cut short after " + std::to_string(n) + " bytes"};
  }
  std::string why;
  std::optional<Record> decoded = DecodeRecordHeader(header, expected_seq, &why);
  if (!decoded) return {ReadOutcome::kCorrupt, why};
  if (decoded->kind == RecordKind::kWrite) {
    if (buffer->size() < decoded->length) buffer->resize(decoded->length);
    n = PreadFull(fd, buffer->data(), decoded->length, pos + kRecordHeaderSize);
    if (n < 0) return ReadError();
    if (static_cast<uint64_t>(n) < decoded->length) {
      return {ReadOutcome::kTorn, "record data cut short: " + std::to_string(n) + " of " +
                                      std::to_string(decoded->length) + " bytes"};
    }
    if (DataChecksum(buffer->data(), decoded->length) != decoded->checksum) {
      return {ReadOutcome::kCorrupt, "data checksum mismatch"};
    }
    decoded->data = std::span<const uint8_t>(buffer->data(), decoded->length);
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

bool AppendRecord(int fd, uint64_t pos, const Record& record, std::span<const uint8_t> data) {
  Record with_data = record;
  with_data.data = data;
  return AppendRecords(fd, pos, std::span(&with_data, 1));
}

bool AppendRecords(int fd, uint64_t pos, std::span<const Record> records) {
  uint8_t headers[kAppendBatchRecords][kRecordHeaderSize];
  struct iovec iov[2 * kAppendBatchRecords];
  while (!records.empty()) {
    const size_t batch = std::min(records.size(), kAppendBatchRecords);
    int count = 0;
    for (size_t i = 0; i < batch; ++i) {
      EncodeRecordHeader(records[i], headers[i]);
      iov[count++] = {headers[i], kRecordHeaderSize};
      if (!records[i].data.empty())
        iov[count++] = {const_cast<uint8_t*>(records[i].data.data()), records[i].data.size()};
    }
    struct iovec* next = iov;
    while (count > 0) {
      ssize_t n = ::pwritev(fd, next, count, static_cast<off_t>(pos));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return false;
      if (n == 0) {
        errno = EIO;
        return false;
      }
      pos += static_cast<uint64_t>(n);
      AdvanceIovec(next, count, static_cast<size_t>(n));
    }
    records = records.subspan(batch);
  }
  return true;
}

}  // namespace cdr::journal
