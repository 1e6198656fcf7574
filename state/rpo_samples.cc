// RPO samples kept by `cdr serve` for the console's chart: one row per server and observation round, pruned by
// age in the same transaction that adds a round.
#include "state/internal/sql_connection.h"
#include "state/internal/sql_status.h"
#include "state/state_store.h"

namespace cdr::state {

Status StateStore::AddRpoSamples(const std::vector<RpoSample>& samples, int64_t keep_after_ms) {
  return internal::CatchSql("add rpo samples", [&] {
    internal::SqlTransaction transaction(*db_, internal::TransactionMode::kWrite);
    for (const RpoSample& s : samples) {
      db_->Query(
          "INSERT INTO rpo_samples (server, time, rpo, live, health) VALUES (?, ?, ?, ?, ?) "
          "ON CONFLICT (server, time) DO UPDATE SET rpo = excluded.rpo, live = excluded.live, "
          "health = excluded.health",
          {s.server, s.time, s.rpo_seconds, s.live, s.health});
    }
    db_->Query("DELETE FROM rpo_samples WHERE time < ?", {keep_after_ms});
    transaction.Commit();
    return Status::Ok();
  });
}

std::vector<RpoSample> StateStore::RpoSamples(const std::string& server, int64_t since_ms) {
  return internal::CatchSqlOr("read rpo samples", std::vector<RpoSample>{}, [&] {
    std::vector<RpoSample> out;
    for (const auto& q : db_->Query("SELECT server, time, rpo, live, health FROM rpo_samples WHERE server = ? AND "
                                    "time >= ? ORDER BY time",
                                    {server, since_ms})
                             .rows) {
      out.push_back({q.Text(0), q.Int64(1), q.Double(2), q.Int(3) != 0, q.Text(4)});
    }
    return out;
  });
}

}  // namespace cdr::state
