// One disk's recovery history, opened for reading: the frozen base image, the CDP log records after base_seq
// and the finished repairs' deltas, as record HEADERS located in files this object keeps open (cdr-shadow may
// delete segments once the base rolls forward; the open descriptors keep their data readable).
//
// Replay rule (the contract): the disk at seq S is base + log records (base_seq, S] in seq order, where a
// repair (X, R) is applied right after record X if R <= S. An S with X < S < R is not a consistent point.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "recovery/history_files.h"
#include "recovery/record_ref.h"

namespace cdr::recovery {

struct RepairLog {
  RepairEntry entry;
  std::vector<RecordRef> records;  // the repair's own seqs, in the order written
};

class DiskLog {
 public:
  // The caller holds history.lock (shared) so no file disappears between listing and opening it.
  static Result<std::unique_ptr<DiskLog>> Open(const std::filesystem::path& server_dir,
                                               const std::string& disk);
  ~DiskLog();
  DiskLog(const DiskLog&) = delete;
  DiskLog& operator=(const DiskLog&) = delete;

  const std::string& disk() const { return disk_; }
  const DiskHistory& history() const { return history_; }
  uint64_t disk_size() const { return history_.disk_size; }
  int base_fd() const { return base_fd_; }
  int file_fd(uint32_t index) const { return files_[index].fd; }
  const std::filesystem::path& file_path(uint32_t index) const { return files_[index].path; }
  // Log records with seq > base_seq, ascending, up to the newest consistent seq.
  const std::vector<RecordRef>& records() const { return records_; }
  // Repairs finished after base_seq, and a running one, by after_seq.
  const std::vector<RepairLog>& repairs() const { return repairs_; }

  // The newest seq that can be materialized ("latest") and the time of its newest record.
  uint64_t newest_seq() const { return newest_seq_; }
  uint64_t newest_time_ns() const { return newest_time_ns_; }

  // Ok if `seq` is a consistent point inside the window; kFailedPrecondition saying why not.
  Status CheckConsistent(uint64_t seq) const;
  // The greatest seq whose record time is <= time_ns; refused before the window or inside a repair.
  Result<uint64_t> SeqAtTime(uint64_t time_ns) const;
  // Bytes of data changed by the records (and repairs) in (from_seq, to_seq].
  uint64_t BytesChanged(uint64_t from_seq, uint64_t to_seq) const;

 private:
  struct OpenFile {
    int fd;
    std::filesystem::path path;
  };
  explicit DiskLog(std::string disk) : disk_(std::move(disk)) {}
  Result<uint32_t> OpenTracked(const std::filesystem::path& path);
  Status LoadLog(const std::filesystem::path& dir);
  Status LoadRepairs(const std::filesystem::path& server_dir);
  void ComputeNewest();

  std::string disk_;
  DiskHistory history_;
  int base_fd_ = -1;
  std::vector<OpenFile> files_;
  std::vector<RecordRef> records_;
  std::vector<RepairLog> repairs_;
  uint64_t newest_seq_ = 0;
  uint64_t newest_time_ns_ = 0;
};

}  // namespace cdr::recovery
