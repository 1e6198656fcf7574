// Helpers shared by the specs tests: load TOML text, assert one exact diagnostic, and a self-removing temp
// dir.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "specs/load_spec.h"

namespace cdr::specs::testing_util {

// Lines 1–8: one group `web` (az1 → az2, vpc-web) with one server `web-1` on host-1; tests append from line 9,
// so their diagnostics have stable positions.
inline constexpr char kOneServerSpec[] = R"([[group]]
name = "web"
production_zone = "az1"
dr_zone = "az2"
vpc = "vpc-web"
[[group.server]]
name = "web-1"
host = "host-1"
)";

inline std::string WithServer(const std::string& more) { return std::string(kOneServerSpec) + more; }

inline LoadResult LoadText(const std::string& text, const std::string& file = "a.toml") {
  return LoadSpecDocuments({{file, text}});
}

inline std::string Where(const Diagnostic& d) {
  return d.pos.file + ":" + std::to_string(d.pos.line) + ":" + std::to_string(d.pos.column);
}

inline std::string AllDiagnostics(const LoadResult& result) {
  std::string out;
  for (const Diagnostic& d : result.diagnostics) out += "  " + FormatDiagnostic(d) + "\n";
  return out;
}

// True when `result` has a diagnostic at `where` ("file:line:column") for `path` whose message contains
// `text`.
inline ::testing::AssertionResult HasDiagnostic(const LoadResult& result, const std::string& where,
                                                const std::string& path, const std::string& text) {
  for (const Diagnostic& d : result.diagnostics) {
    if (Where(d) == where && d.path == path && d.message.find(text) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "no diagnostic " << where << ": " << path << ": ..." << text << "... among:\n"
         << AllDiagnostics(result);
}

// The diagnostic above, and nothing else: a rule must not drag unrelated noise along.
inline ::testing::AssertionResult OnlyDiagnostic(const LoadResult& result, const std::string& where,
                                                 const std::string& path, const std::string& text) {
  if (result.diagnostics.size() != 1) {
    return ::testing::AssertionFailure()
           << "expected 1 diagnostic, got " << result.diagnostics.size() << ":\n"
           << AllDiagnostics(result);
  }
  return HasDiagnostic(result, where, path, text);
}

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() / ("cdr-specs-test-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path Write(const std::string& name, const std::string& text) const {
    std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace cdr::specs::testing_util
