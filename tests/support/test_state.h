// A fresh state per test, on either backend: a SQLite file in a temp directory, or a new database on the
// test PostgreSQL server (tests/support/postgres_server.h). Both are removed afterwards, so tests never share
// a state. The state-store suites are parameterized over both backends with CDR_STATE_BACKENDS.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "state/internal/sql_connection.h"
#include "state/state_location.h"
#include "state/state_store.h"
#include "tests/support/postgres_server.h"

namespace cdr::state::testing {

class TempDir {
 public:
  explicit TempDir(StateBackend backend = StateBackend::kSqlite) {
    std::string pattern = (std::filesystem::temp_directory_path() / "cdr-state-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
    if (backend == StateBackend::kPostgres) {
      std::string error;
      url_ = cdr::testing::NewPostgresDatabase(&error);
      if (url_.empty()) ADD_FAILURE() << "no PostgreSQL database for the test: " << error;
    }
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
    if (!url_.empty()) cdr::testing::DropPostgresDatabase(url_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The state's location: the SQLite file, or the database's URL.
  std::string StatePath() const { return url_.empty() ? (path_ / ".cdr" / "state.db").string() : url_; }

 private:
  std::filesystem::path path_;
  std::string url_;
};

// Statements run on a test state the way another process (or an older cdr) would have written them.
inline void ExecRaw(const std::string& location, const std::string& sql,
                    const std::vector<internal::SqlValue>& params = {}) {
  auto conn = internal::OpenSqlConnection(location);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  try {
    if (params.empty()) {
      (*conn)->ExecScript(sql);
    } else {
      (*conn)->Query(sql, params);
    }
  } catch (const internal::SqlError& e) {
    FAIL() << sql << ": " << e.what();
  }
}

inline void SetRawSchemaVersion(const std::string& location, int version) {
  auto conn = internal::OpenSqlConnection(location);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  (*conn)->SetSchemaVersion(version);
}

// A fixture with a StateStore opened on a fresh state of the test's backend (the parameter).
class OpenedStoreTest : public ::testing::TestWithParam<StateBackend> {
 protected:
  void SetUp() override {
    auto opened = StateStore::Open(dir_.StatePath());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  TempDir dir_{GetParam()};
  std::unique_ptr<StateStore> store_;
};

inline std::string BackendTestName(const ::testing::TestParamInfo<StateBackend>& info) {
  return StateBackendName(info.param);
}

}  // namespace cdr::state::testing

// INSTANTIATE_TEST_SUITE_P(Backends, SomeTest, CDR_STATE_BACKENDS): SomeTest/Backends.Name/sqlite and /postgres.
#define CDR_STATE_BACKENDS                                                                          \
  ::testing::Values(::cdr::state::StateBackend::kSqlite, ::cdr::state::StateBackend::kPostgres), \
      ::cdr::state::testing::BackendTestName
