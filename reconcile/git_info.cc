#include "reconcile/git_info.h"

#include "reconcile/internal/libgit2_handles.h"

namespace cdr::reconcile {
namespace {

int CountStatus(const char*, unsigned int flags, void* payload) {
  if (flags != GIT_STATUS_CURRENT && !(flags & GIT_STATUS_IGNORED)) ++*static_cast<int*>(payload);
  return 0;
}

}  // namespace

GitInfo DescribeGitHead(const std::filesystem::path& spec_path) {
  internal::EnsureLibGit2();
  GitInfo info;
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::weakly_canonical(spec_path, ec);
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, absolute.c_str(), 0, nullptr) != 0) return info;
  info.in_repository = true;
  git_oid oid;
  if (git_reference_name_to_id(&oid, repo, "HEAD") == 0) {
    info.commit = internal::OidHex(oid);
  }
  if (const char* workdir = git_repository_workdir(repo)) {
    std::string relative = std::filesystem::relative(absolute, workdir, ec).string();
    if (relative == ".") relative.clear();
    git_status_options opts = GIT_STATUS_OPTIONS_INIT;
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
    std::string pattern = relative.empty() ? "*" : relative;
    char* paths[] = {pattern.data()};
    opts.pathspec = {paths, 1};
    int changed = 0;
    git_status_foreach_ext(repo, &opts, CountStatus, &changed);
    info.dirty = changed > 0;
  }
  git_repository_free(repo);
  return info;
}

}  // namespace cdr::reconcile
