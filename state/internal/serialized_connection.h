// A SqlConnection layer in the nbdkit-filter shape that makes one connection safe for several threads: every
// call forwards to `next` under one mutex, and a transaction holds that mutex from Begin to Commit or
// Rollback, so a parallel apply's steps never see (or write into) another thread's open transaction.
// Statements of the thread that opened the transaction pass through (the mutex is recursive). Both backends
// get it from OpenSqlConnection.
//
//   thread A: Begin ─ Query ─ Query ─ Commit          (holds the mutex throughout)
//   thread B:          Query ·········· waits ········ runs
#pragma once

#include <memory>

#include "state/internal/sql_connection.h"

namespace cdr::state::internal {

std::unique_ptr<SqlConnection> SerializedConnection(std::unique_ptr<SqlConnection> next);

}  // namespace cdr::state::internal
