#include "reconcile/report_branch.h"

#include "reconcile/internal/libgit2_handles.h"
#include "state/state_store.h"

namespace cdr::reconcile {

using namespace internal;

Result<std::string> CommitToBranch(const std::string& repository, const std::string& branch,
                                   const std::vector<BranchFile>& files, const std::string& message) {
  EnsureLibGit2();
  git_repository* raw_repo = nullptr;
  if (git_repository_open_ext(&raw_repo, repository.c_str(), 0, nullptr) != 0) {
    return NotFound("no git repository at " + repository + ": " + LastGitError());
  }
  Repository repo(raw_repo);
  const std::string ref_name = "refs/heads/" + branch;
  if (!git_reference_is_valid_name(ref_name.c_str())) return InvalidArgument("`" + branch + "` is not a branch name");

  Commit parent;
  Tree parent_tree;
  git_oid tip;
  // A CI job works in a fresh clone where only origin has the branch: continue origin's history so the push
  // that follows is a fast-forward.
  const bool have_tip = git_reference_name_to_id(&tip, repo.get(), ref_name.c_str()) == 0 ||
                        git_reference_name_to_id(&tip, repo.get(), ("refs/remotes/origin/" + branch).c_str()) == 0;
  if (have_tip) {
    git_commit* c = nullptr;
    git_tree* t = nullptr;
    if (git_commit_lookup(&c, repo.get(), &tip) != 0 || (parent.reset(c), git_commit_tree(&t, c)) != 0) {
      return Internal("branch " + branch + ": " + LastGitError());
    }
    parent_tree.reset(t);
  }

  git_treebuilder* raw_builder = nullptr;
  if (git_treebuilder_new(&raw_builder, repo.get(), parent_tree.get()) != 0) return Internal(LastGitError());
  TreeBuilder builder(raw_builder);
  for (const auto& f : files) {
    git_oid blob;
    if (git_blob_create_from_buffer(&blob, repo.get(), f.content.data(), f.content.size()) != 0 ||
        git_treebuilder_insert(nullptr, builder.get(), f.name.c_str(), &blob, GIT_FILEMODE_BLOB) != 0) {
      return Internal(f.name + ": " + LastGitError());
    }
  }
  git_oid tree_id;
  git_tree* raw_tree = nullptr;
  if (git_treebuilder_write(&tree_id, builder.get()) != 0 || git_tree_lookup(&raw_tree, repo.get(), &tree_id) != 0) {
    return Internal(LastGitError());
  }
  Tree tree(raw_tree);

  git_signature* raw_sig = nullptr;
  if (git_signature_now(&raw_sig, "cdr", state::StateStore::OperatorName().c_str()) != 0) {
    return Internal(LastGitError());
  }
  Signature sig(raw_sig);
  const git_commit* parents[] = {parent.get()};
  git_oid commit_id;
  // Passing the ref name makes libgit2 move the branch, checking it still points at `parent` (no lost update).
  if (git_commit_create(&commit_id, repo.get(), ref_name.c_str(), sig.get(), sig.get(), nullptr, message.c_str(),
                        tree.get(), parent ? 1 : 0, parent ? parents : nullptr) != 0) {
    return Internal("commit to " + branch + ": " + LastGitError());
  }
  return OidHex(commit_id);
}

}  // namespace cdr::reconcile
