#include "reconcile/internal/libgit2_handles.h"

namespace cdr::reconcile::internal {

void EnsureLibGit2() {
  struct Init {
    Init() { git_libgit2_init(); }
    ~Init() { git_libgit2_shutdown(); }
  };
  static Init init;
}

std::string LastGitError() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown error";
}

std::string OidHex(const git_oid& oid) {
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, &oid);
  return hex;
}

}  // namespace cdr::reconcile::internal
