// The bottom of the write pipeline: a regular file or a block device opened O_RDWR, accessed with
// pread/pwrite straight from the caller's buffer (no copies, no per-request allocation).
#pragma once

#include <filesystem>
#include <memory>

#include "agent/block_device.h"
#include "agent/group_commit.h"

namespace cdr::agent {

class FileBackend : public BlockDevice {
 public:
  static Result<std::unique_ptr<FileBackend>> Open(const std::filesystem::path& path);
  ~FileBackend() override;
  FileBackend(const FileBackend&) = delete;
  FileBackend& operator=(const FileBackend&) = delete;

  uint64_t Size() const override { return size_; }
  uint32_t BlockSize() const override { return 4096; }
  Status Read(uint64_t offset, std::span<uint8_t> out) override;
  Status Write(uint64_t offset, std::span<const uint8_t> data, bool fua) override;
  Status Flush() override;
  Status Trim(uint64_t offset, uint64_t length, bool fua) override;
  Status WriteZeroes(uint64_t offset, uint64_t length, bool may_punch, bool fua) override;
  // Regular files: from SEEK_DATA/SEEK_HOLE (a filesystem without them reports all data); block devices: data.
  Status Extents(uint64_t offset, uint64_t length, std::vector<Extent>* out) override;

 private:
  FileBackend(int fd, uint64_t size, bool is_block_device, std::string path)
      : fd_(fd), size_(size), is_block_device_(is_block_device), path_(std::move(path)) {}
  Status WriteZeroBuffer(uint64_t offset, uint64_t length);

  int fd_;
  uint64_t size_;  // fixed at open: a disk size change breaks replication and needs a repair
  bool is_block_device_;
  std::string path_;
  GroupCommit sync_;  // concurrent FLUSH/FUA requests share fdatasyncs
};

}  // namespace cdr::agent
