// Helpers of the replication lifecycle tests: a real cdr-shadow found through its --ready-file, and the paths
// of what it writes. Header only: agent_test links cdr_agent and cdr_test_support, not cdr_shadow.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/json_file.h"
#include "tests/support/process_test_util.h"

namespace cdr::agent::testing {

using namespace cdr::testing;

// The JSON of a ready file once it is complete (written atomically, so existing means complete).
inline std::optional<nlohmann::json> WaitForReadyFile(const std::filesystem::path& path, Child& child) {
  std::optional<nlohmann::json> ready;
  PollUntil([&] {
    if (Result<nlohmann::json> j = ReadJsonFile(path); j.ok()) ready = *j;
    return ready.has_value() || !child.running();
  });
  return ready;
}

// A cdr-shadow on 127.0.0.1; port 0 picks a free one, a restart passes the old port. tls_dir empty:
// --insecure.
class ShadowWithReadyFile {
 public:
  ShadowWithReadyFile(const std::filesystem::path& work_dir, const std::filesystem::path& replica_dir,
                      int port = 0, const std::filesystem::path& tls_dir = {})
      : ready_(work_dir / "shadow.ready"),
        err_(work_dir / "shadow.err"),
        child_(
            [&] {
              std::filesystem::create_directories(work_dir);
              std::filesystem::remove(ready_);
              std::vector<std::string> argv = {
                  (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "cdr-shadow").string(),
                  "--listen",
                  "127.0.0.1:" + std::to_string(port),
                  "--replica-dir",
                  replica_dir.string(),
                  "--ready-file",
                  ready_.string()};
              if (tls_dir.empty()) {
                argv.push_back("--insecure");
              } else {
                argv.insert(argv.end(), {"--tls-dir", tls_dir.string()});
              }
              return argv;
            }(),
            work_dir / "shadow.out", err_) {
    if (std::optional<nlohmann::json> ready = WaitForReadyFile(ready_, child_)) {
      address_ = (*ready)["address"].get<std::string>();
      pid_ = (*ready)["pid"].get<int>();
    }
  }
  bool started() const { return !address_.empty(); }
  const std::string& address() const { return address_; }
  int port() const { return std::stoi(address_.substr(address_.rfind(':') + 1)); }
  int reported_pid() const { return pid_; }
  Child& child() { return child_; }
  std::string log() const { return ReadFile(err_); }

 private:
  std::filesystem::path ready_, err_;
  Child child_;
  std::string address_;
  int pid_ = 0;
};

// Where cdr-shadow keeps a replica (shadow/replica_disk.cc).
inline std::filesystem::path ReplicaImage(const std::filesystem::path& replica_dir,
                                          const std::string& server_id, const std::string& disk) {
  return replica_dir / server_id / (disk + ".img");
}

inline bool SameContents(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code ec_a, ec_b;
  if (std::filesystem::file_size(a, ec_a) != std::filesystem::file_size(b, ec_b) || ec_a || ec_b)
    return false;
  return ReadFile(a) == ReadFile(b);
}

// A sparse disk image of `size` bytes whose first `data` bytes are random.
inline void MakeDisk(const std::filesystem::path& path, uint64_t size, uint64_t data, unsigned seed) {
  WriteRandomFile(path, data, seed);
  std::filesystem::resize_file(path, size);
}

}  // namespace cdr::agent::testing
