// `cdr fmt [-check] [PATH…]`: rewrites spec files in the canonical layout (specs/spec_format.h); with -check only
// lists those that are not, for CI. Files are replaced atomically, keeping their mode.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cmd/commands.h"
#include "specs/spec_format.h"

namespace cdr::cmd {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> SpecFiles(const std::vector<std::string>& paths, const GlobalOptions& g) {
  std::vector<fs::path> roots(paths.begin(), paths.end());
  if (roots.empty()) roots.push_back(SpecPath(g));
  std::vector<fs::path> files;
  for (const auto& root : roots) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
      files.push_back(root);
      continue;
    }
    std::vector<fs::path> in_dir;
    for (const auto& e : fs::directory_iterator(root, ec))
      if (e.is_regular_file() && e.path().extension() == ".toml") in_dir.push_back(e.path());
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  return files;
}

Status Replace(const fs::path& file, const std::string& text) {
  const fs::path temp = file.string() + ".cdr-fmt";
  std::error_code ec;
  const fs::perms mode = fs::status(file, ec).permissions();
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return Internal("cannot write " + temp.string());
  }
  fs::permissions(temp, mode, ec);
  fs::rename(temp, file, ec);
  if (ec) {
    fs::remove(temp, ec);
    return Internal("cannot replace " + file.string() + ": " + ec.message());
  }
  return Status();
}

}  // namespace

int RunFmt(const GlobalOptions& g, const FmtOptions& o) {
  if (!g.git_repository.empty()) {
    PrintError("fmt rewrites spec files of the working tree; --git reads a commit. Run it in a checkout");
    return kExitError;
  }
  const std::vector<fs::path> files = SpecFiles(o.paths, g);
  if (files.empty()) {
    PrintError("no spec files (*.toml) found in " + (o.paths.empty() ? SpecPath(g).string() : o.paths.front()));
    return kExitError;
  }
  bool errors = false, unformatted = false;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      PrintError("cannot read " + file.string());
      errors = true;
      continue;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto formatted = specs::FormatSpecText(text.str(), file.string());
    if (!formatted.ok()) {
      PrintError(formatted.status().message());
      errors = true;
      continue;
    }
    if (*formatted == text.str()) continue;
    unformatted = true;
    std::cout << file.string() << "\n";  // as terraform fmt: the files it changed (or would change)
    if (o.check) continue;
    if (Status s = Replace(file, *formatted); !s.ok()) {
      PrintError(s.message());
      errors = true;
    }
  }
  if (errors) return kExitError;
  return o.check && unformatted ? kExitFmtCheck : kExitOk;
}

}  // namespace cdr::cmd
