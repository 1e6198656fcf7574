// Specs read straight from a git commit with libgit2: no checkout, works on bare repositories. This is how a
// GitOps job plans exactly what was merged, whatever the working tree holds.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "specs/load_spec.h"

namespace cdr::reconcile {

struct GitSpecSource {
  std::string repository;  // a path inside the repository (work tree or bare); searched upwards
  std::string ref;         // anything `git rev-parse` takes: "main", "HEAD~2", a commit id, "v1.4"
  std::string path;        // a *.toml file or a directory of them inside the commit; empty: the root
};

struct GitSpecDocuments {
  std::string commit;             // the full id `ref` resolved to
  std::string repository;         // the repository's absolute path (its .git dir for a work tree)
  // File names are paths inside the commit ("specs/web.toml"), so diagnostics point where `git show` finds them
  // and the spec digest equals that of the same files in a working tree.
  std::vector<specs::SpecDocument> documents;
};

// kNotFound for an unknown ref or path; kInvalidArgument for a path that holds no *.toml.
Result<GitSpecDocuments> ReadSpecFromGit(const GitSpecSource& source);

// True when `commit` is `ancestor` or descends from it. kNotFound when either is unknown to the repository.
Result<bool> IsSameOrDescendant(const std::string& repository, const std::string& commit,
                                const std::string& ancestor);

}  // namespace cdr::reconcile
