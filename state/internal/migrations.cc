#include "state/internal/migrations.h"

#include <spdlog/spdlog.h>

#include <string>
#include <vector>

namespace cdr::state::internal {
namespace {

struct Migration {
  int version;  // schema version after this step
  const char* description;
  const char* sqlite;
  const char* postgres;
};

// Times are Unix milliseconds; attributes are JSON text.
const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "initial schema", R"sql(
        CREATE TABLE resources (
          address     TEXT PRIMARY KEY NOT NULL,
          kind        TEXT NOT NULL,
          provider_id TEXT NOT NULL DEFAULT '',
          status      TEXT NOT NULL DEFAULT '',
          attributes  TEXT NOT NULL DEFAULT '{}',
          created_at  INTEGER NOT NULL,
          updated_at  INTEGER NOT NULL
        );
        CREATE TABLE meta (
          key   TEXT PRIMARY KEY NOT NULL,
          value
        );
        INSERT INTO meta (key, value) VALUES ('serial', 0);
        CREATE TABLE jobs (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          address     TEXT NOT NULL,
          operation   TEXT NOT NULL,
          status      TEXT NOT NULL,
          progress    INTEGER NOT NULL DEFAULT 0,
          started_at  INTEGER NOT NULL DEFAULT 0,
          finished_at INTEGER NOT NULL DEFAULT 0,
          error       TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE job_events (
          id         INTEGER PRIMARY KEY AUTOINCREMENT,
          job_id     INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
          time       INTEGER NOT NULL,
          from_state TEXT NOT NULL DEFAULT '',
          to_state   TEXT NOT NULL DEFAULT '',
          message    TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX job_events_by_job ON job_events (job_id, id);
        -- `slot` makes "at most one lock row" a constraint rather than a habit of the code.
        CREATE TABLE lock (
          slot           INTEGER PRIMARY KEY CHECK (slot = 1) DEFAULT 1,
          id             TEXT NOT NULL,
          owner          TEXT NOT NULL,
          operation      TEXT NOT NULL,
          pid            INTEGER NOT NULL,
          pid_start_time INTEGER NOT NULL,
          host           TEXT NOT NULL,
          acquired_at    INTEGER NOT NULL,
          expires_at     INTEGER NOT NULL
        );
      )sql",
      R"sql(
        CREATE TABLE resources (
          address     TEXT PRIMARY KEY NOT NULL,
          kind        TEXT NOT NULL,
          provider_id TEXT NOT NULL DEFAULT '',
          status      TEXT NOT NULL DEFAULT '',
          attributes  TEXT NOT NULL DEFAULT '{}',
          created_at  BIGINT NOT NULL,
          updated_at  BIGINT NOT NULL
        );
        CREATE TABLE meta (
          key   TEXT PRIMARY KEY NOT NULL,
          value BIGINT
        );
        INSERT INTO meta (key, value) VALUES ('serial', 0);
        CREATE TABLE jobs (
          id          BIGSERIAL PRIMARY KEY,
          address     TEXT NOT NULL,
          operation   TEXT NOT NULL,
          status      TEXT NOT NULL,
          progress    INTEGER NOT NULL DEFAULT 0,
          started_at  BIGINT NOT NULL DEFAULT 0,
          finished_at BIGINT NOT NULL DEFAULT 0,
          error       TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE job_events (
          id         BIGSERIAL PRIMARY KEY,
          job_id     BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
          time       BIGINT NOT NULL,
          from_state TEXT NOT NULL DEFAULT '',
          to_state   TEXT NOT NULL DEFAULT '',
          message    TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX job_events_by_job ON job_events (job_id, id);
        CREATE TABLE lock (
          slot           INTEGER PRIMARY KEY CHECK (slot = 1) DEFAULT 1,
          id             TEXT NOT NULL,
          owner          TEXT NOT NULL,
          operation      TEXT NOT NULL,
          pid            BIGINT NOT NULL,
          pid_start_time BIGINT NOT NULL,
          host           TEXT NOT NULL,
          acquired_at    BIGINT NOT NULL,
          expires_at     BIGINT NOT NULL
        );
      )sql"},
      {2, "history of applies", R"sql(
        CREATE TABLE applies (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          applied_at  INTEGER NOT NULL,
          serial      INTEGER NOT NULL,
          git_commit  TEXT NOT NULL DEFAULT '',
          source      TEXT NOT NULL DEFAULT '',
          plan_digest TEXT NOT NULL DEFAULT '',
          operator    TEXT NOT NULL DEFAULT '',
          changes     INTEGER NOT NULL DEFAULT 0,
          failed      INTEGER NOT NULL DEFAULT 0,
          rollback    INTEGER NOT NULL DEFAULT 0,
          finished_at INTEGER NOT NULL DEFAULT 0
        );
      )sql",
      R"sql(
        CREATE TABLE applies (
          id          BIGSERIAL PRIMARY KEY,
          applied_at  BIGINT NOT NULL,
          serial      BIGINT NOT NULL,
          git_commit  TEXT NOT NULL DEFAULT '',
          source      TEXT NOT NULL DEFAULT '',
          plan_digest TEXT NOT NULL DEFAULT '',
          operator    TEXT NOT NULL DEFAULT '',
          changes     INTEGER NOT NULL DEFAULT 0,
          failed      INTEGER NOT NULL DEFAULT 0,
          rollback    INTEGER NOT NULL DEFAULT 0,
          finished_at BIGINT NOT NULL DEFAULT 0
        );
      )sql"},
      {3, "rpo samples of cdr serve", R"sql(
        CREATE TABLE rpo_samples (
          server   TEXT NOT NULL,
          time     INTEGER NOT NULL,
          rpo      REAL NOT NULL,
          live     INTEGER NOT NULL,
          health   TEXT NOT NULL,
          PRIMARY KEY (server, time)
        ) WITHOUT ROWID;
        CREATE INDEX rpo_samples_time ON rpo_samples (time);
      )sql",
      R"sql(
        CREATE TABLE rpo_samples (
          server   TEXT NOT NULL,
          time     BIGINT NOT NULL,
          rpo      DOUBLE PRECISION NOT NULL,
          live     INTEGER NOT NULL,
          health   TEXT NOT NULL,
          PRIMARY KEY (server, time)
        );
        CREATE INDEX rpo_samples_time ON rpo_samples (time);
      )sql"},
  };
  return kMigrations;
}

}  // namespace

int LatestSchemaVersion() { return Migrations().back().version; }

void ApplyMigrations(SqlConnection& conn, const std::string& location_for_log) {
  for (const Migration& step : Migrations()) {
    if (conn.SchemaVersion() >= step.version) continue;
    SqlTransaction tx(conn, TransactionMode::kWrite);
    // Re-read under the write lock: another process may have migrated while we waited for it.
    if (conn.SchemaVersion() >= step.version) continue;
    conn.ExecScript(conn.backend() == StateBackend::kPostgres ? step.postgres : step.sqlite);
    conn.SetSchemaVersion(step.version);
    tx.Commit();
    spdlog::info("state: migrated {} to schema version {} ({})", location_for_log, step.version,
                 step.description);
  }
}

}  // namespace cdr::state::internal
