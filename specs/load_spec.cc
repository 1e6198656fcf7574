#include "specs/load_spec.h"

#include <algorithm>
#include <exception>
#include <fstream>
#include <iterator>
#include <system_error>
#include <tuple>

#include "common/digest.h"
#include "specs/internal/cross_checks.h"
#include "specs/internal/parse_document.h"

namespace cdr::specs {
namespace {

namespace fs = std::filesystem;

Diagnostic FileProblem(const std::string& file, std::string message) {
  return {{file, 0, 0}, "", std::move(message)};
}

// The *.toml files of `dir`, sorted by name so the merge order and the digest do not depend on the file
// system.
std::vector<fs::path> TomlFilesIn(const fs::path& dir, std::vector<Diagnostic>* out) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->path().extension() == ".toml" && it->is_regular_file(type_ec)) files.push_back(it->path());
  }
  if (ec) {
    out->push_back(FileProblem(dir.string(), "cannot list directory: " + ec.message()));
    return {};
  }
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  if (files.empty()) out->push_back(FileProblem(dir.string(), "directory contains no *.toml files"));
  return files;
}

// A spec is a few KiB of TOML: the limit stops `--spec /dev/zero` (or a log given by mistake) at once instead
// of reading until memory runs out.
constexpr size_t kMaxSpecFileBytes = 4 << 20;

// "" when read, else the problem.
std::string ReadFile(const fs::path& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read file";
  text->resize(kMaxSpecFileBytes + 1);
  in.read(text->data(), static_cast<std::streamsize>(text->size()));
  if (in.bad()) return "cannot read file";
  text->resize(static_cast<size_t>(in.gcount()));
  if (text->size() > kMaxSpecFileBytes) {
    text->clear();
    return "larger than " + std::to_string(kMaxSpecFileBytes >> 20) + " MiB: not a spec";
  }
  return "";
}

Spec Merge(std::vector<internal::ParsedDocument>& documents) {
  Spec spec;
  // Defaults still point somewhere useful: the first file, with no line.
  const std::string first_file = documents.empty() ? "" : documents.front().file;
  spec.provider.pos = {first_file, 0, 0};
  spec.quota.pos = {first_file, 0, 0};
  bool have_provider = false;
  bool have_quota = false;
  for (internal::ParsedDocument& doc : documents) {
    if (doc.provider && !have_provider) {
      spec.provider = *doc.provider;
      have_provider = true;
    }
    if (doc.quota && !have_quota) {
      spec.quota = *doc.quota;
      have_quota = true;
    }
    for (internal::ParsedGroup& group : doc.groups) {
      for (internal::ParsedServer& server : group.servers)
        group.spec.servers.push_back(std::move(server.spec));
      spec.groups.push_back(std::move(group.spec));
    }
  }
  return spec;
}

void SortDiagnostics(std::vector<Diagnostic>* diagnostics) {
  std::stable_sort(diagnostics->begin(), diagnostics->end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.pos.file, a.pos.line, a.pos.column) < std::tie(b.pos.file, b.pos.line, b.pos.column);
  });
}

LoadResult LoadDocuments(const std::vector<SpecDocument>& documents) {
  LoadResult result;
  if (documents.empty()) {
    result.diagnostics.push_back(FileProblem("", "the spec has no files"));
    return result;
  }
  Sha256 digest;
  std::vector<internal::ParsedDocument> parsed;
  for (const SpecDocument& document : documents) {
    parsed.push_back(internal::ParseDocument(document, &result.diagnostics));
    result.spec.files.push_back(document.file);
    // NUL separators keep ("ab","c") and ("a","bc") from hashing alike. Only the file's own name counts, so
    // `--spec specs` and `--spec ./specs` make the same digest and a saved plan stays valid across both.
    digest.Update(fs::path(document.file).filename().string());
    digest.Update(std::string_view("\0", 1));
    digest.Update(document.text);
    digest.Update(std::string_view("\0", 1));
  }
  internal::CheckCrossReferences(parsed, &result.diagnostics);
  std::vector<std::string> files = std::move(result.spec.files);
  result.spec = Merge(parsed);
  result.spec.files = std::move(files);
  result.spec.digest = digest.HexDigest();
  return result;
}

}  // namespace

LoadResult LoadSpecDocuments(const std::vector<SpecDocument>& documents) {
  LoadResult result;
  try {
    result = LoadDocuments(documents);
  } catch (const std::exception& e) {
    // Validation must never take the caller down; an unexpected failure is one more diagnostic.
    result.diagnostics.push_back(
        FileProblem("", std::string("internal error while loading the spec: ") + e.what()));
  }
  SortDiagnostics(&result.diagnostics);
  return result;
}

LoadResult LoadSpec(const std::filesystem::path& path) {
  std::vector<Diagnostic> read_problems;
  std::vector<SpecDocument> documents;
  try {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    std::vector<fs::path> files;
    if (!fs::exists(status)) {
      read_problems.push_back(FileProblem(path.string(), "no such file or directory"));
    } else if (fs::is_directory(status)) {
      files = TomlFilesIn(path, &read_problems);
    } else {
      files.push_back(path);
    }
    for (const fs::path& file : files) {
      SpecDocument document{file.string(), ""};
      if (std::string problem = ReadFile(file, &document.text); problem.empty()) {
        documents.push_back(std::move(document));
      } else {
        read_problems.push_back(FileProblem(document.file, problem));
      }
    }
  } catch (const std::exception& e) {
    read_problems.push_back(FileProblem(path.string(), std::string("cannot read the spec: ") + e.what()));
  }
  LoadResult result;
  if (!documents.empty()) result = LoadSpecDocuments(documents);
  result.diagnostics.insert(result.diagnostics.end(), read_problems.begin(), read_problems.end());
  SortDiagnostics(&result.diagnostics);
  return result;
}

}  // namespace cdr::specs
