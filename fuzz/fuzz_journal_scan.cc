// Journal segments as they are read back: by the agent when it reopens its journal after a crash (a torn or
// damaged tail is cut off, never believed) and by the DR disk's header scan of the shadow's history. Any bytes in
// a segment give records or a kDataLoss naming the place, never a crash or a read past the file.
#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "journal/segment_files.h"
#include "journal/segment_scan.h"
#include "agent/journal.h"
#include "fuzz/fuzz_target.h"

namespace {

namespace fs = std::filesystem;

void ScanHeaders(const uint8_t* data, size_t size) {
  const int fd = ::memfd_create("fuzz-segment", MFD_CLOEXEC);
  if (fd < 0) return;
  if (size == 0 || ::write(fd, data, size) == static_cast<ssize_t>(size)) {
    using cdr::journal::TailPolicy;
    for (TailPolicy tail : {TailPolicy::kStrict, TailPolicy::kStopAtTorn}) {
      for (bool verify_data : {false, true}) {
        uint64_t records = 0;
        (void)cdr::journal::ScanSegment(fd, "fuzz.seg", 1, {tail, verify_data},
                                        [&](const cdr::journal::Record&, uint64_t) { ++records; });
      }
    }
  }
  ::close(fd);
}

void ReopenJournal(const uint8_t* data, size_t size) {
  static const fs::path dir = fs::temp_directory_path() / ("cdr-fuzz-journal-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  std::ofstream(dir / cdr::journal::SegmentFileName(1), std::ios::binary)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  cdr::agent::JournalOptions options;
  options.segment_bytes = 1 << 20;
  options.max_bytes = 16 << 20;
  (void)cdr::agent::Journal::Open(dir, options);
  fs::remove_all(dir, ec);
}

int FuzzJournalScan(const uint8_t* data, size_t size) {
  if (size > (4 << 20)) return 0;
  ScanHeaders(data, size);
  ReopenJournal(data, size);
  return 0;
}

}  // namespace

CDR_FUZZ_TARGET("journal_scan", FuzzJournalScan)
