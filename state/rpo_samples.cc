// RPO samples kept by `cdr serve` for the console's chart: one row per server and observation round, pruned by
// age in the same transaction that adds a round.
#include <SQLiteCpp/SQLiteCpp.h>

#include "state/internal/sqlite_status.h"
#include "state/state_store.h"

namespace cdr::state {

Status StateStore::AddRpoSamples(const std::vector<RpoSample>& samples, int64_t keep_after_ms) {
  return internal::CatchSqlite("add rpo samples", [&] {
    SQLite::Transaction transaction(*db_);
    SQLite::Statement insert(
        *db_, "INSERT OR REPLACE INTO rpo_samples (server, time, rpo, live, health) VALUES (?, ?, ?, ?, ?)");
    for (const RpoSample& s : samples) {
      insert.bind(1, s.server);
      insert.bind(2, s.time);
      insert.bind(3, s.rpo_seconds);
      insert.bind(4, s.live ? 1 : 0);
      insert.bind(5, s.health);
      insert.exec();
      insert.reset();
    }
    SQLite::Statement prune(*db_, "DELETE FROM rpo_samples WHERE time < ?");
    prune.bind(1, keep_after_ms);
    prune.exec();
    transaction.commit();
    return Status::Ok();
  });
}

std::vector<RpoSample> StateStore::RpoSamples(const std::string& server, int64_t since_ms) {
  return internal::CatchSqliteOr("read rpo samples", std::vector<RpoSample>{}, [&] {
    SQLite::Statement q(*db_,
                        "SELECT server, time, rpo, live, health FROM rpo_samples WHERE server = ? AND time >= ? "
                        "ORDER BY time");
    q.bind(1, server);
    q.bind(2, since_ms);
    std::vector<RpoSample> out;
    while (q.executeStep()) {
      out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt64(), q.getColumn(2).getDouble(),
                     q.getColumn(3).getInt() != 0, q.getColumn(4).getString()});
    }
    return out;
  });
}

}  // namespace cdr::state
