#include "tests/recovery/history_builder.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

#include "journal/format.h"
#include "journal/segment_files.h"
#include "common/json_file.h"

namespace cdr::recovery::testing {
namespace fs = std::filesystem;

namespace {

void PwriteAll(int fd, const void* data, size_t n, uint64_t pos) {
  if (::pwrite(fd, data, n, static_cast<off_t>(pos)) != static_cast<ssize_t>(n)) {
    throw std::runtime_error(std::string("pwrite: ") + std::strerror(errno));
  }
}

std::vector<uint8_t> Encode(const TestRecord& r) {
  journal::Record h;
  h.kind = r.kind;
  h.seq = r.seq;
  h.time_ns = r.time_ns;
  h.offset = r.offset;
  h.length = r.kind == journal::RecordKind::kWrite ? r.data.size() : r.length;
  h.checksum = r.kind == journal::RecordKind::kWrite ? journal::DataChecksum(r.data.data(), r.data.size()) : 0;
  std::vector<uint8_t> out(journal::kRecordHeaderSize);
  journal::EncodeRecordHeader(h, out.data());
  if (r.kind == journal::RecordKind::kWrite) out.insert(out.end(), r.data.begin(), r.data.end());
  return out;
}

}  // namespace

SegmentWriter::SegmentWriter(const fs::path& dir, uint64_t first_seq, bool padded_name) {
  fs::create_directories(dir);
  const fs::path path =
      dir / (padded_name ? journal::SegmentFileName(first_seq) : "seg-" + std::to_string(first_seq) + ".journal");
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("create " + path.string());
  uint8_t header[journal::kSegmentHeaderSize];
  journal::EncodeSegmentHeader({first_seq, journal::NowRecordTimeNs()}, header);
  PwriteAll(fd_, header, sizeof header, 0);
  size_ = sizeof header;
}

SegmentWriter::~SegmentWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void SegmentWriter::Append(const TestRecord& record) {
  const std::vector<uint8_t> bytes = Encode(record);
  PwriteAll(fd_, bytes.data(), bytes.size(), size_);
  size_ += bytes.size();
}

void SegmentWriter::AppendTorn(const TestRecord& record, size_t bytes) {
  const std::vector<uint8_t> encoded = Encode(record);
  PwriteAll(fd_, encoded.data(), std::min(bytes, encoded.size()), size_);
  size_ += std::min(bytes, encoded.size());
}

DiskHistoryBuilder::DiskHistoryBuilder(fs::path server_dir, std::string disk, uint64_t disk_size,
                                       unsigned seed)
    : server_dir_(std::move(server_dir)), disk_(std::move(disk)), disk_size_(disk_size), rng_(seed) {
  fs::create_directories(server_dir_);
}

std::vector<uint8_t> DiskHistoryBuilder::RandomBytes(size_t n) {
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng_());
  return out;
}

TestRecord DiskHistoryBuilder::RandomRecord(uint64_t seq, uint64_t time_ns, uint64_t max_length) {
  TestRecord r;
  r.seq = seq;
  r.time_ns = time_ns;
  const uint64_t length = 1 + rng_() % max_length;
  r.offset = rng_() % (disk_size_ - length);
  const int pick = static_cast<int>(rng_() % 10);
  r.kind = pick < 7   ? journal::RecordKind::kWrite
           : pick < 9 ? journal::RecordKind::kZero
                      : journal::RecordKind::kTrim;
  if (r.kind == journal::RecordKind::kWrite) {
    r.data = RandomBytes(length);
  } else {
    r.length = length;
  }
  return r;
}

void DiskHistoryBuilder::Apply(const TestRecord& r, std::vector<uint8_t>* disk) {
  if (r.kind == journal::RecordKind::kWrite) {
    std::memcpy(disk->data() + r.offset, r.data.data(), r.data.size());
  } else {
    std::memset(disk->data() + r.offset, 0, r.length);
  }
}

void DiskHistoryBuilder::WriteBase(const std::vector<uint8_t>& content) {
  const fs::path path = server_dir_ / (disk_ + ".base.img");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("create " + path.string());
  if (::ftruncate(fd, static_cast<off_t>(disk_size_)) != 0) throw std::runtime_error("truncate base");
  static const std::vector<uint8_t> kZero(4096, 0);
  if (content.empty()) return (void)::close(fd);
  for (uint64_t pos = 0; pos < disk_size_; pos += 4096) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(4096, disk_size_ - pos));
    if (std::memcmp(content.data() + pos, kZero.data(), n) != 0) PwriteAll(fd, content.data() + pos, n, pos);
  }
  ::close(fd);
}

void DiskHistoryBuilder::WriteHistory(uint64_t base_seq, uint64_t base_time_ns,
                                      const std::vector<TestRepair>& repairs) {
  nlohmann::json doc = {{"version", 1},
                        {"disk_size", disk_size_},
                        {"base_seq", base_seq},
                        {"base_time_ns", base_time_ns},
                        {"repairs", nlohmann::json::array()}};
  for (const TestRepair& r : repairs) {
    doc["repairs"].push_back({{"after_seq", r.after_seq},
                              {"finished_seq", r.finished_seq},
                              {"dir", disk_ + ".repair-" + std::to_string(r.after_seq)}});
  }
  if (!WriteJsonFileAtomically(server_dir_ / (disk_ + ".history.json"), doc).ok()) {
    throw std::runtime_error("write history.json");
  }
}

void DiskHistoryBuilder::WriteSegment(const std::vector<TestRecord>& records) {
  SegmentWriter writer(server_dir_ / (disk_ + ".cdp"), records.front().seq);
  for (const TestRecord& r : records) writer.Append(r);
}

void DiskHistoryBuilder::WriteRepairLog(const TestRepair& repair) {
  SegmentWriter writer(server_dir_ / (disk_ + ".repair-" + std::to_string(repair.after_seq)), 1,
                       /*padded_name=*/false);
  for (const TestRecord& r : repair.records) writer.Append(r);
}

void WriteRecoveryPoints(const fs::path& server_dir, const nlohmann::json& points) {
  if (!WriteJsonFileAtomically(server_dir / "recovery_points.json", {{"version", 1}, {"points", points}})
           .ok()) {
    throw std::runtime_error("write recovery_points.json");
  }
}

std::vector<uint8_t> ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace cdr::recovery::testing
