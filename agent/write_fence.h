// The fence of a failed-over server's production agent (docs/state-machine.md, failover): while it is raised,
// every export of the agent refuses writes, trims and zeroes (FenceLayer), so nothing can diverge from the DR
// host that now carries the service: no split brain. Reads go on. Kept in STATE_DIR/fence.json, so an agent
// restarted (also after kill -9) comes back fenced. Lifted only by a rollback of an unconfirmed failover
// (later: by failback).
//
//   unfenced ──Raise──► fenced ──Lift──► unfenced
#pragma once

#include <filesystem>
#include <memory>
#include <shared_mutex>

#include "common/status.h"

namespace cdr::agent {

class WriteFence {
 public:
  // A missing file is an agent never fenced; a malformed one is kDataLoss naming the file.
  static Result<std::shared_ptr<WriteFence>> Open(const std::filesystem::path& state_dir);

  bool fenced() const;
  // Once Raise returns, no write is in flight any more and every later one is refused: it waits for the writes
  // admitted before it. It takes effect before it is persisted, so a failed save still leaves the agent fenced.
  Status Raise();
  // Persisted first: a lift that could not be saved is not done (a restart would fence again).
  Status Lift();

  // A write holds the returned lock while it runs; it may go on only when the lock owns the mutex.
  std::shared_lock<std::shared_mutex> Admit() const;

 private:
  explicit WriteFence(std::filesystem::path path, bool fenced) : path_(std::move(path)), fenced_(fenced) {}
  Status Save(bool fenced) const;

  const std::filesystem::path path_;
  mutable std::shared_mutex mutex_;  // shared: writes in flight; exclusive: changing fenced_
  bool fenced_;
};

}  // namespace cdr::agent
