// Test support for the replication tests: the generic helpers of tests/support (temp directories, children
// killed by pid, polling, the cdr-agent process) plus a cdr-shadow process and readers of its files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "tests/support/process_test_util.h"

namespace cdr::shadow::testing {

using namespace cdr::testing;

// A cdr-shadow on 127.0.0.1; port 0 picks a free one (a restart passes the old port).
class ShadowProcess {
 public:
  // tls_dir empty: --insecure (plain TCP).
  ShadowProcess(const std::filesystem::path& work_dir, const std::filesystem::path& replica_dir, int port = 0,
                const std::filesystem::path& tls_dir = {});
  bool started() const { return port_ != 0; }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  Child& child() { return child_; }
  std::string log() const { return ReadFile(err_); }

 private:
  std::filesystem::path out_, err_;
  Child child_;
  int port_ = 0;
};
std::filesystem::path ShadowBinary();

struct ShadowState {
  uint64_t applied_seq = 0;
  uint64_t full_sync_cursor = 0;
  bool full_sync_done = false;
  uint64_t epoch = 0;
  bool repair_in_progress = false;
  uint64_t repair_cursor = 0;
  uint64_t repair_base_seq = 0;
};
// The replica's state file, or nullopt while it does not exist (or is being replaced). For a consistent
// replica applied_seq is the newer of the file's and the CDP log's newest record: the state file lags the
// acknowledged seq in realtime, and a reopen of the replica redoes the log up to its tail.
std::optional<ShadowState> ReadShadowState(const std::filesystem::path& replica_dir,
                                           const std::string& server_id, const std::string& disk);
// Newest seq in an agent journal directory (0 when empty).
uint64_t LastJournalSeq(const std::filesystem::path& journal_dir);
bool FilesEqual(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace cdr::shadow::testing
