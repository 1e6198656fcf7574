// Writes a server's recovery history the way cdr-shadow lays it out (base image, CDP log segments in the
// journal format, repair logs, history.json, recovery_points.json), and replays the same records naively on a
// byte vector, so tests know exactly what the disk is at every seq without trusting the code under test.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "journal/record.h"

namespace cdr::recovery::testing {

struct TestRecord {
  journal::RecordKind kind = journal::RecordKind::kWrite;
  uint64_t seq = 0;
  uint64_t time_ns = 0;
  uint64_t offset = 0;
  std::vector<uint8_t> data;  // kWrite
  uint64_t length = 0;        // kZero / kTrim (kWrite: data.size())
};

// Journal segment files: header, then records back to back (docs/journal-format.md).
class SegmentWriter {
 public:
  SegmentWriter(const std::filesystem::path& dir, uint64_t first_seq, bool padded_name = true);
  ~SegmentWriter();
  void Append(const TestRecord& record);
  // Appends only the first `bytes` of a record: a writer cut short mid-append.
  void AppendTorn(const TestRecord& record, size_t bytes);

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
};

struct TestRepair {
  uint64_t after_seq;
  uint64_t finished_seq;  // 0: running
  std::vector<TestRecord> records;
};

// One disk's history and its naive replay.
class DiskHistoryBuilder {
 public:
  DiskHistoryBuilder(std::filesystem::path server_dir, std::string disk, uint64_t disk_size, unsigned seed);

  // A write of random bytes, a zero or a trim at a random (unaligned) range.
  TestRecord RandomRecord(uint64_t seq, uint64_t time_ns, uint64_t max_length = 64 * 1024);
  std::vector<uint8_t> RandomBytes(size_t n);

  // The base image = `content` (zero 4 KiB blocks left as holes; empty: all holes).
  void WriteBase(const std::vector<uint8_t>& content);
  void WriteHistory(uint64_t base_seq, uint64_t base_time_ns, const std::vector<TestRepair>& repairs);
  // Segment of the CDP log holding `records` (consecutive seqs).
  void WriteSegment(const std::vector<TestRecord>& records);
  void WriteRepairLog(const TestRepair& repair);

  static void Apply(const TestRecord& record, std::vector<uint8_t>* disk);

  const std::filesystem::path& server_dir() const { return server_dir_; }
  const std::string& disk() const { return disk_; }
  uint64_t disk_size() const { return disk_size_; }

 private:
  std::filesystem::path server_dir_;
  std::string disk_;
  uint64_t disk_size_;
  std::mt19937_64 rng_;
};

void WriteRecoveryPoints(const std::filesystem::path& server_dir, const nlohmann::json& points);
std::vector<uint8_t> ReadAll(const std::filesystem::path& path);
void WriteAll(const std::filesystem::path& path, const std::vector<uint8_t>& bytes);

}  // namespace cdr::recovery::testing
