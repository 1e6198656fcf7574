#include "providers/local/internal/binary_locator.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace cdr::providers::local::internal {
namespace {

namespace fs = std::filesystem;

bool IsExecutableFile(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

Result<fs::path> FindCdrBinary(const std::string& name) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const fs::path beside = ec ? fs::path() : self.parent_path() / name;
  if (!beside.empty() && IsExecutableFile(beside)) return beside;

  const char* path_env = std::getenv("PATH");
  std::stringstream dirs(path_env ? path_env : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::absolute(fs::path(dir) / name, ec);
    if (!ec && IsExecutableFile(candidate)) return candidate;
  }
  return FailedPrecondition(name + " not found beside " + (self.empty() ? "this program" : self.string()) +
                            " nor on PATH; build it (ninja " + name + ") or install it");
}

}  // namespace cdr::providers::local::internal
