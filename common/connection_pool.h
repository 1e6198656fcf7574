// The idle connections a client process keeps open to the servers it talks to (HTTP keep-alive): a request takes
// the newest idle connection to its server, or opens one, and gives it back when the response left it reusable.
// A connection the server closed while idle (or that holds bytes nobody asked for) is dropped when taken. Bounded:
// at most kMaxIdle connections in all, none idle longer than kMaxIdleAge (the oldest go first).
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/byte_stream.h"

namespace cdr {

struct PooledConnection {
  std::unique_ptr<ByteStream> stream;
  int fd = -1;  // the stream's socket, to see whether the server closed it
  std::chrono::steady_clock::time_point idle_since{};
};

class ConnectionPool {
 public:
  static constexpr size_t kMaxIdle = 256;
  static constexpr std::chrono::seconds kMaxIdleAge{30};

  // The process's pool (cdr's agent client).
  static ConnectionPool& Process();

  // An idle connection to `key` (the server and the client identity it was opened with) still usable, if any.
  std::optional<PooledConnection> Take(const std::string& key);
  void Give(const std::string& key, PooledConnection connection);
  size_t idle() const;

 private:
  void DropExpired(std::chrono::steady_clock::time_point now);  // the caller holds mutex_

  mutable std::mutex mutex_;
  std::map<std::string, std::deque<PooledConnection>> idle_;  // per key, oldest first
  size_t count_ = 0;
};

}  // namespace cdr
