#include "agent/full_sync.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/io_status.h"

namespace cdr::agent {

Result<std::unique_ptr<FullSyncReader>> FullSyncReader::Open(const std::filesystem::path& path,
                                                             uint64_t disk_size, uint32_t block_size,
                                                             uint64_t chunk_bytes) {
  if (block_size == 0 || chunk_bytes < block_size)
    return InvalidArgument("full sync: bad block or chunk size");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + path.string(), errno);
  chunk_bytes -= chunk_bytes % block_size;
  return std::unique_ptr<FullSyncReader>(new FullSyncReader(fd, disk_size, block_size, chunk_bytes));
}

FullSyncReader::FullSyncReader(int fd, uint64_t disk_size, uint32_t block_size, uint64_t chunk_bytes)
    : fd_(fd), disk_size_(disk_size), block_size_(block_size), chunk_bytes_(chunk_bytes) {
  for (size_t i = 0; i < kChunksAhead + 1; ++i) spare_.push_back(std::make_unique<Chunk>());
}

FullSyncReader::~FullSyncReader() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
}

Result<bool> FullSyncReader::NextChunk(uint64_t* cursor, std::vector<DataRun>* runs) {
  runs->clear();
  std::unique_lock lock(mutex_);
  if (handed_out_ != nullptr) spare_.push_back(std::move(handed_out_));
  if (*cursor >= disk_size_) {
    changed_.notify_all();
    return false;
  }
  if (expected_cursor_ != *cursor) {
    while (!ready_.empty()) {
      spare_.push_back(std::move(ready_.front()));
      ready_.pop_front();
    }
    ++generation_;
    read_cursor_ = *cursor;
    if (!thread_.joinable()) thread_ = std::thread([this] { ReadAhead(); });
  }
  changed_.notify_all();
  changed_.wait(lock, [&] { return !ready_.empty(); });
  handed_out_ = std::move(ready_.front());
  ready_.pop_front();
  changed_.notify_all();
  if (!handed_out_->status.ok()) {
    expected_cursor_.reset();  // a call after the failure reads again from its cursor
    return handed_out_->status;
  }
  *runs = handed_out_->runs;
  *cursor = handed_out_->end;
  expected_cursor_ = *cursor;
  return true;
}

void FullSyncReader::ReadAhead() {
  std::unique_lock lock(mutex_);
  while (true) {
    // Nothing to read past the end or after a failure until NextChunk starts the read-ahead again.
    changed_.wait(lock, [&] { return stop_ || (!spare_.empty() && read_cursor_ < disk_size_); });
    if (stop_) return;
    std::unique_ptr<Chunk> chunk = std::move(spare_.back());
    spare_.pop_back();
    const uint64_t at = read_cursor_;
    const uint64_t generation = generation_;
    lock.unlock();
    chunk->status = ReadChunk(at, chunk.get());
    lock.lock();
    if (generation != generation_) {
      spare_.push_back(std::move(chunk));
      continue;
    }
    read_cursor_ = chunk->status.ok() ? chunk->end : disk_size_;
    ready_.push_back(std::move(chunk));
    changed_.notify_all();
  }
}

Status FullSyncReader::ReadChunk(uint64_t cursor, Chunk* chunk) const {
  chunk->start = cursor;
  chunk->runs.clear();
  off_t data = ::lseek(fd_, static_cast<off_t>(cursor), SEEK_DATA);
  if (data < 0 && errno == ENXIO) {  // nothing but holes up to the end
    chunk->end = disk_size_;
    return Status::Ok();
  }
  if (data < 0) data = static_cast<off_t>(cursor);  // no SEEK_DATA here (some block devices): read everything
  off_t hole = ::lseek(fd_, data, SEEK_HOLE);
  if (hole < 0) hole = static_cast<off_t>(disk_size_);
  const uint64_t start = static_cast<uint64_t>(data);
  const uint64_t end = std::min({start + chunk_bytes_, static_cast<uint64_t>(hole), disk_size_});
  if (end <= start) {  // a hole past the disk size: the file is larger than the disk
    chunk->end = disk_size_;
    return Status::Ok();
  }
  const size_t length = end - start;
  std::vector<uint8_t>& buffer = chunk->buffer;
  if (buffer.size() < length) buffer.resize(chunk_bytes_);
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd_, buffer.data() + done, length - done, static_cast<off_t>(start + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("full sync read", errno);
    if (n == 0) {  // the file is shorter than the disk size: the rest reads as zeroes
      std::memset(buffer.data() + done, 0, length - done);
      break;
    }
    done += static_cast<size_t>(n);
  }
  static const std::vector<uint8_t> kZero(1 << 20);
  size_t run_start = length;
  for (size_t pos = 0; pos < length; pos += block_size_) {
    const size_t n = std::min<size_t>(block_size_, length - pos);
    const bool zero = std::memcmp(buffer.data() + pos, kZero.data(), std::min(n, kZero.size())) == 0 &&
                      (n <= kZero.size() || std::all_of(buffer.begin() + pos, buffer.begin() + pos + n,
                                                        [](uint8_t b) { return b == 0; }));
    if (!zero && run_start == length) run_start = pos;
    if (zero && run_start != length) {
      chunk->runs.push_back({start + run_start, std::span(buffer).subspan(run_start, pos - run_start)});
      run_start = length;
    }
  }
  if (run_start != length)
    chunk->runs.push_back({start + run_start, std::span(buffer).subspan(run_start, length - run_start)});
  chunk->end = end;
  return Status::Ok();
}

}  // namespace cdr::agent
