#include "common/connection_pool.h"

#include <poll.h>

namespace cdr {
namespace {

// An idle connection that became readable was closed by the server, or holds bytes nobody asked for: either
// way it cannot carry the next request.
bool StillUsable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

}  // namespace

ConnectionPool& ConnectionPool::Process() {
  static ConnectionPool* const pool = new ConnectionPool();  // lives as long as the process: no exit-time order
  return *pool;
}

std::optional<PooledConnection> ConnectionPool::Take(const std::string& key) {
  std::lock_guard lock(mutex_);
  DropExpired(std::chrono::steady_clock::now());
  auto it = idle_.find(key);
  if (it == idle_.end()) return std::nullopt;
  std::optional<PooledConnection> found;
  auto& list = it->second;
  while (!found && !list.empty()) {
    PooledConnection c = std::move(list.back());  // the newest: the least likely to have been closed
    list.pop_back();
    --count_;
    if (StillUsable(c.fd)) found = std::move(c);
  }
  if (list.empty()) idle_.erase(it);
  return found;
}

void ConnectionPool::Give(const std::string& key, PooledConnection connection) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  connection.idle_since = now;
  idle_[key].push_back(std::move(connection));
  ++count_;
  DropExpired(now);
}

size_t ConnectionPool::idle() const {
  std::lock_guard lock(mutex_);
  return count_;
}

void ConnectionPool::DropExpired(std::chrono::steady_clock::time_point now) {
  // Too many: the globally oldest go first; too old: wherever they are.
  while (count_ > kMaxIdle) {
    auto oldest = idle_.end();
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
      if (oldest == idle_.end() || it->second.front().idle_since < oldest->second.front().idle_since) oldest = it;
    }
    oldest->second.pop_front();
    --count_;
    if (oldest->second.empty()) idle_.erase(oldest);
  }
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& list = it->second;
    while (!list.empty() && now - list.front().idle_since > kMaxIdleAge) {
      list.pop_front();
      --count_;
    }
    it = list.empty() ? idle_.erase(it) : std::next(it);
  }
}

}  // namespace cdr
