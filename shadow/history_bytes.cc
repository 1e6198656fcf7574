#include "shadow/history_bytes.h"

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace cdr::shadow {
namespace fs = std::filesystem;
namespace {

uint64_t AllocatedBytes(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 0;
  if (S_ISREG(st.st_mode)) return static_cast<uint64_t>(st.st_blocks) * 512;
  if (!S_ISDIR(st.st_mode)) return 0;
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(path, ec)) total += AllocatedBytes(entry.path());
  return total;
}

}  // namespace

uint64_t HistoryBytes(const HistoryPaths& paths) {
  uint64_t total = AllocatedBytes(paths.base()) + AllocatedBytes(paths.cdp_dir());
  const std::string repair_prefix = paths.disk + ".repair-";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(paths.server_dir, ec)) {
    if (entry.path().filename().string().rfind(repair_prefix, 0) == 0) total += AllocatedBytes(entry.path());
  }
  return total;
}

}  // namespace cdr::shadow
