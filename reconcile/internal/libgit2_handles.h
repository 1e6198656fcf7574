// libgit2 process set-up and owning handles, shared by every reconcile file that reads git.
#pragma once

#include <git2.h>

#include <memory>
#include <string>

namespace cdr::reconcile::internal {

// libgit2 keeps global state; initialize it once per process, before the first call.
void EnsureLibGit2();
// The message of the last libgit2 error of this thread, or "unknown error".
std::string LastGitError();

template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const { Free(p); }
};
using Repository = std::unique_ptr<git_repository, GitDeleter<git_repository, git_repository_free>>;
using Object = std::unique_ptr<git_object, GitDeleter<git_object, git_object_free>>;
using Commit = std::unique_ptr<git_commit, GitDeleter<git_commit, git_commit_free>>;
using Tree = std::unique_ptr<git_tree, GitDeleter<git_tree, git_tree_free>>;
using TreeEntry = std::unique_ptr<git_tree_entry, GitDeleter<git_tree_entry, git_tree_entry_free>>;
using Blob = std::unique_ptr<git_blob, GitDeleter<git_blob, git_blob_free>>;
using Signature = std::unique_ptr<git_signature, GitDeleter<git_signature, git_signature_free>>;
using TreeBuilder = std::unique_ptr<git_treebuilder, GitDeleter<git_treebuilder, git_treebuilder_free>>;
using Reference = std::unique_ptr<git_reference, GitDeleter<git_reference, git_reference_free>>;

std::string OidHex(const git_oid& oid);

}  // namespace cdr::reconcile::internal
