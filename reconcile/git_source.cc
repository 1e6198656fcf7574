#include "reconcile/git_source.h"

#include <algorithm>

#include "reconcile/internal/libgit2_handles.h"

namespace cdr::reconcile {
namespace {

using namespace internal;

Result<Repository> OpenRepository(const std::string& path) {
  EnsureLibGit2();
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, path.c_str(), 0, nullptr) != 0) {
    return NotFound("no git repository at " + path + ": " + LastGitError());
  }
  return Repository(repo);
}

Result<Commit> ResolveCommit(git_repository* repo, const std::string& ref) {
  git_object* obj = nullptr;
  if (git_revparse_single(&obj, repo, ref.c_str()) != 0) {
    return NotFound("git ref `" + ref + "` not found: " + LastGitError());
  }
  Object resolved(obj);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, resolved.get(), GIT_OBJECT_COMMIT) != 0) {
    return InvalidArgument("git ref `" + ref + "` does not name a commit: " + LastGitError());
  }
  return Commit(reinterpret_cast<git_commit*>(peeled));
}

bool IsToml(const std::string& name) { return name.size() > 5 && name.substr(name.size() - 5) == ".toml"; }

Result<specs::SpecDocument> ReadBlob(git_repository* repo, const git_oid* id, const std::string& file) {
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo, id) != 0) return Internal(file + ": " + LastGitError());
  Blob blob(raw);
  const char* bytes = static_cast<const char*>(git_blob_rawcontent(blob.get()));
  return specs::SpecDocument{file, std::string(bytes, static_cast<size_t>(git_blob_rawsize(blob.get())))};
}

}  // namespace

Result<GitSpecDocuments> ReadSpecFromGit(const GitSpecSource& source) {
  auto repo = OpenRepository(source.repository);
  if (!repo.ok()) return repo.status();
  auto commit = ResolveCommit(repo->get(), source.ref);
  if (!commit.ok()) return commit.status();
  GitSpecDocuments out;
  out.commit = OidHex(*git_commit_id(commit->get()));
  out.repository = git_repository_path(repo->get());
  git_tree* root_raw = nullptr;
  if (git_commit_tree(&root_raw, commit->get()) != 0) return Internal(LastGitError());
  Tree tree(root_raw);

  std::string dir = source.path;
  while (!dir.empty() && dir.back() == '/') dir.pop_back();
  const std::string prefix = dir.empty() ? "" : dir + "/";
  if (!dir.empty()) {
    git_tree_entry* raw = nullptr;
    if (git_tree_entry_bypath(&raw, tree.get(), dir.c_str()) != 0) {
      return NotFound("`" + dir + "` does not exist in " + source.ref + " (" + out.commit.substr(0, 12) + ")");
    }
    TreeEntry entry(raw);
    if (git_tree_entry_type(entry.get()) == GIT_OBJECT_BLOB) {
      auto doc = ReadBlob(repo->get(), git_tree_entry_id(entry.get()), dir);
      if (!doc.ok()) return doc.status();
      out.documents.push_back(std::move(*doc));
      return out;
    }
    git_tree* sub = nullptr;
    if (git_tree_lookup(&sub, repo->get(), git_tree_entry_id(entry.get())) != 0) return Internal(LastGitError());
    tree.reset(sub);
  }
  // Tree entries are sorted by name, the same order LoadSpec uses for a directory.
  for (size_t i = 0; i < git_tree_entrycount(tree.get()); ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree.get(), i);
    const std::string name = git_tree_entry_name(e);
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB || !IsToml(name)) continue;
    auto doc = ReadBlob(repo->get(), git_tree_entry_id(e), prefix + name);
    if (!doc.ok()) return doc.status();
    out.documents.push_back(std::move(*doc));
  }
  if (out.documents.empty()) {
    return InvalidArgument("no *.toml files in `" + (dir.empty() ? std::string(".") : dir) + "` at " + source.ref);
  }
  return out;
}

Result<bool> IsSameOrDescendant(const std::string& repository, const std::string& commit,
                                const std::string& ancestor) {
  auto repo = OpenRepository(repository);
  if (!repo.ok()) return repo.status();
  git_oid a, b;
  if (git_oid_fromstr(&a, commit.c_str()) != 0 || git_oid_fromstr(&b, ancestor.c_str()) != 0) {
    return InvalidArgument("not a commit id: " + commit + " / " + ancestor);
  }
  if (git_oid_equal(&a, &b)) return true;
  git_commit* raw = nullptr;
  for (const git_oid* id : {&a, &b}) {
    if (git_commit_lookup(&raw, repo->get(), id) != 0) {
      return NotFound("commit " + OidHex(*id) + " is not in " + repository);
    }
    git_commit_free(raw);
  }
  int rc = git_graph_descendant_of(repo->get(), &a, &b);
  if (rc < 0) return Internal(LastGitError());
  return rc == 1;
}

}  // namespace cdr::reconcile
