#include "reconcile/report_branch.h"

#include <optional>

#include "reconcile/internal/libgit2_handles.h"
#include "state/state_store.h"

namespace cdr::reconcile {

using namespace internal;

namespace {

std::optional<git_oid> RefTip(git_repository* repo, const std::string& name) {
  git_oid oid;
  if (git_reference_name_to_id(&oid, repo, name.c_str()) != 0) return std::nullopt;
  return oid;
}

// The commit the report goes on: the branch's tip, or origin/BRANCH's when only the remote-tracking branch has
// it or the local branch is behind it (a reused CI clone) — then the local branch is fast-forwarded first, so
// the push that follows is a fast-forward too. nullopt: neither exists (the first report, an orphan commit).
Result<std::optional<git_oid>> BranchBase(git_repository* repo, const std::string& branch,
                                          const std::string& ref_name) {
  const std::optional<git_oid> local = RefTip(repo, ref_name);
  const std::optional<git_oid> remote = RefTip(repo, "refs/remotes/origin/" + branch);
  if (!remote) return local;
  if (!local) return remote;
  if (git_oid_equal(&*local, &*remote) || git_graph_descendant_of(repo, &*local, &*remote) == 1) return local;
  if (git_graph_descendant_of(repo, &*remote, &*local) != 1) {
    return FailedPrecondition("branch " + branch + " and origin/" + branch +
                              " have diverged; reconcile them (git pull --rebase on that branch, or delete the "
                              "local branch to continue origin's history) and run the job again");
  }
  git_reference* moved = nullptr;
  if (git_reference_create_matching(&moved, repo, ref_name.c_str(), &*remote, 1, &*local,
                                    "cdr: fast-forward to origin before the report") != 0) {
    return Internal("fast-forward " + branch + " to origin/" + branch + ": " + LastGitError());
  }
  git_reference_free(moved);
  return remote;
}

}  // namespace

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

  auto base = BranchBase(repo.get(), branch, ref_name);
  if (!base.ok()) return base.status();
  Commit parent;
  Tree parent_tree;
  if (*base) {
    git_commit* c = nullptr;
    git_tree* t = nullptr;
    if (git_commit_lookup(&c, repo.get(), &**base) != 0 || (parent.reset(c), git_commit_tree(&t, c)) != 0) {
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
