// An NBD export exposed as a file through nbdfuse (there is no kernel nbd module on these machines), so real
// tools (mkfs.ext4, debugfs -w, e2fsck) can work on it. Unmounted at the end of the test, also on failure.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/nbd_client_args.h"
#include "tests/support/process_test_util.h"

namespace cdr::agent::testing {

inline bool OnPath(const std::string& program) {
  return cdr::testing::RunProgram({"sh", "-c", "command -v " + program}).exit_code == 0;
}

// Why the tools of these tests cannot run here, or "" when they can.
inline std::string MissingFuseTools() {
  if (::access("/dev/fuse", R_OK | W_OK) != 0) return "/dev/fuse is not usable here";
  for (const char* tool : {"nbdfuse", "fusermount3", "mkfs.ext4", "debugfs", "e2fsck"}) {
    if (!OnPath(tool)) return std::string(tool) + " is not installed";
  }
  return "";
}

class NbdfuseMount {
 public:
  // Mounts `uri` as MOUNTPOINT/disk0 and waits until the file has `size` bytes.
  NbdfuseMount(const std::filesystem::path& mountpoint, const std::string& uri, uint64_t size,
               const std::filesystem::path& log_dir)
      : mountpoint_(mountpoint),
        err_(log_dir / "nbdfuse.err"),
        child_(
            [&] {
              std::filesystem::create_directories(mountpoint);
              return cdr::testing::NbdfuseCommand(mountpoint / "disk0", uri);
            }(),
            log_dir / "nbdfuse.out", err_) {
    cdr::testing::PollUntil([&] {
      std::error_code ec;
      return std::filesystem::file_size(file(), ec) == size || !child_.running();
    });
    std::error_code ec;
    mounted_ = child_.running() && std::filesystem::file_size(file(), ec) == size;
  }
  ~NbdfuseMount() { Unmount(); }
  bool mounted() const { return mounted_; }
  // A sandbox without FUSE mounts is a reason to skip, not a failure.
  bool sandbox_refused() const {
    const std::string err = log();
    return !mounted_ && (err.find("fuse") != std::string::npos || err.find("mount") != std::string::npos);
  }
  std::filesystem::path file() const { return mountpoint_ / "disk0"; }
  std::string log() const { return cdr::testing::ReadFile(err_); }
  // nbdfuse flushes the export before it exits.
  void Unmount() {
    if (done_) return;
    done_ = true;
    cdr::testing::RunProgram({"fusermount3", "-u", mountpoint_.string()});
    child_.Wait(std::chrono::seconds(30));
  }

 private:
  std::filesystem::path mountpoint_, err_;
  cdr::testing::Child child_;
  bool mounted_ = false;
  bool done_ = false;
};

}  // namespace cdr::agent::testing
