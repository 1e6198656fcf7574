// SQLiteCpp reports errors by throwing; the state store's public API reports them as Status. Every public
// member runs its SQLite work through one of these wrappers so no exception escapes.
#pragma once

#include <SQLiteCpp/Exception.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace cdr::state::internal {

// kUnavailable for SQLITE_BUSY/LOCKED (retry later), kDataLoss for a corrupt or foreign file, kInternal else.
Status StatusFromSqlite(const SQLite::Exception& e, std::string_view what);

// For members returning Status or Result<T>: `what` says what was being done ("put group.web").
template <typename Fn>
auto CatchSqlite(std::string_view what, Fn&& fn) -> decltype(fn()) {
  try {
    return std::forward<Fn>(fn)();
  } catch (const SQLite::Exception& e) {
    return StatusFromSqlite(e, what);
  } catch (const std::exception& e) {
    return Internal(std::string(what) + ": " + e.what());
  }
}

// For members returning plain values: the error is logged and `fallback` returned, because their callers
// (display, plan) have no error path and a failing database shows up on the next Status-returning call.
template <typename T, typename Fn>
T CatchSqliteOr(std::string_view what, T fallback, Fn&& fn) {
  try {
    return std::forward<Fn>(fn)();
  } catch (const SQLite::Exception& e) {
    spdlog::error("state: {}", StatusFromSqlite(e, what).ToString());
  } catch (const std::exception& e) {
    spdlog::error("state: {}: {}", what, e.what());
  }
  return fallback;
}

}  // namespace cdr::state::internal
