// A fresh directory per test, removed afterwards, so tests never share a state file.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace cdr::state::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cdr-state-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path StatePath() const { return path_ / ".cdr" / "state.db"; }

 private:
  std::filesystem::path path_;
};

}  // namespace cdr::state::testing
