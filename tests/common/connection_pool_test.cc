// The keep-alive pool over socketpairs: what it hands out, what it drops, and its bound.
#include "common/connection_pool.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

namespace cdr {
namespace {

struct Pair {
  PooledConnection client;
  int server = -1;
};

Pair Connected() {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  Pair p;
  p.client.stream = std::make_unique<PlainStream>(fds[0], /*owns=*/true);
  p.client.fd = fds[0];
  p.server = fds[1];
  return p;
}

TEST(ConnectionPoolTest, GivesBackTheNewestIdleConnectionOfTheSameKeyOnly) {
  ConnectionPool pool;
  Pair a = Connected(), b = Connected();
  const int newest = b.client.fd;
  pool.Give("agent-1", std::move(a.client));
  pool.Give("agent-1", std::move(b.client));
  EXPECT_FALSE(pool.Take("agent-2").has_value());
  std::optional<PooledConnection> got = pool.Take("agent-1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->fd, newest);
  EXPECT_EQ(pool.idle(), 1u);
  ::close(a.server);
  ::close(b.server);
}

TEST(ConnectionPoolTest, AConnectionTheServerClosedIsDroppedWhenTaken) {
  ConnectionPool pool;
  Pair live = Connected(), closed = Connected();
  pool.Give("agent-1", std::move(live.client));
  pool.Give("agent-1", std::move(closed.client));
  ::close(closed.server);
  std::optional<PooledConnection> got = pool.Take("agent-1");
  ASSERT_TRUE(got.has_value());
  EXPECT_NE(got->fd, -1);
  char c = 'x';
  ASSERT_EQ(::send(live.server, &c, 1, 0), 1);
  uint8_t r = 0;
  EXPECT_TRUE(got->stream->ReadAll(&r, 1, kNoDeadline).ok()) << "the one handed out is the live one";
  EXPECT_EQ(pool.idle(), 0u);
  ::close(live.server);
}

TEST(ConnectionPoolTest, KeepsAtMostItsBoundDroppingTheOldest) {
  ConnectionPool pool;
  std::vector<int> servers;
  for (size_t i = 0; i < ConnectionPool::kMaxIdle + 3; ++i) {
    Pair p = Connected();
    servers.push_back(p.server);
    pool.Give("agent-" + std::to_string(i % 7), std::move(p.client));
  }
  EXPECT_EQ(pool.idle(), ConnectionPool::kMaxIdle);
  // The three oldest (agent-0, agent-1, agent-2's first) were closed: their servers see the end of the stream.
  for (int i = 0; i < 3; ++i) {
    char c;
    EXPECT_EQ(::recv(servers[i], &c, 1, MSG_DONTWAIT), 0) << i;
  }
  char c;
  EXPECT_EQ(::recv(servers[3], &c, 1, MSG_DONTWAIT), -1) << "the fourth is still open";
  for (int fd : servers) ::close(fd);
}

}  // namespace
}  // namespace cdr
