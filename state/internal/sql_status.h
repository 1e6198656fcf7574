// The database reports errors by throwing SqlError; the state store's public API reports them as Status. Every
// public member runs its SQL through one of these wrappers so no exception escapes.
#pragma once

#include <spdlog/spdlog.h>

#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "state/internal/sql_connection.h"

namespace cdr::state::internal {

// kUnavailable for a busy database or a broken connection (retry later), kDataLoss for a corrupt or foreign
// file, kInternal else.
Status StatusFromSql(const SqlError& e, std::string_view what);

// For members returning Status or Result<T>: `what` says what was being done ("put group.web").
template <typename Fn>
auto CatchSql(std::string_view what, Fn&& fn) -> decltype(fn()) {
  try {
    return std::forward<Fn>(fn)();
  } catch (const SqlError& e) {
    return StatusFromSql(e, what);
  } catch (const std::exception& e) {
    return Internal(std::string(what) + ": " + e.what());
  }
}

// For members returning plain values: the error is logged and `fallback` returned, because their callers
// (display, plan) have no error path and a failing database shows up on the next Status-returning call.
template <typename T, typename Fn>
T CatchSqlOr(std::string_view what, T fallback, Fn&& fn) {
  try {
    return std::forward<Fn>(fn)();
  } catch (const SqlError& e) {
    spdlog::error("state: {}", StatusFromSql(e, what).ToString());
  } catch (const std::exception& e) {
    spdlog::error("state: {}: {}", what, e.what());
  }
  return fallback;
}

}  // namespace cdr::state::internal
