// Reading and validating the desired state.
#pragma once

#include <filesystem>
#include <vector>

#include "specs/spec.h"

namespace cdr::specs {

struct LoadResult {
  Spec spec;                            // meaningful only when diagnostics is empty
  std::vector<Diagnostic> diagnostics;  // ALL problems found, sorted by file, line, column
};

// `path` is a single .toml file or a directory whose *.toml files (sorted by name, not recursive) together form
// one spec. Several files may each declare [[group]]s; [provider] and [quota] may appear in at most one file.
LoadResult LoadSpec(const std::filesystem::path& path);

// Same, from in-memory documents (file name → TOML text), used for specs read from git and by tests.
struct SpecDocument {
  std::string file;
  std::string text;
};
LoadResult LoadSpecDocuments(const std::vector<SpecDocument>& documents);

}  // namespace cdr::specs
