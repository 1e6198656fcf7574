// Which git commit a spec came from (libgit2): recorded in plans so an apply can be traced to a commit.
#pragma once

#include <filesystem>
#include <string>

namespace cdr::reconcile {

struct GitInfo {
  bool in_repository = false;
  std::string commit;  // HEAD's id; empty on an unborn branch
  bool dirty = false;  // files under the spec path differ from HEAD (modified, staged or untracked)
};

// Looks for a repository containing `spec_path` (walking up); not being in one is not an error.
GitInfo DescribeGitHead(const std::filesystem::path& spec_path);

}  // namespace cdr::reconcile
