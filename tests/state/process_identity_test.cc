#include "state/internal/process_identity.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cdr::state::internal {
namespace {

TEST(ProcessIdentityTest, ThisProcessIsAlive) {
  auto start = ProcessStartTime(CurrentPid());
  ASSERT_TRUE(start.has_value());
  EXPECT_TRUE(ProcessAlive(CurrentPid(), *start));
  EXPECT_TRUE(ProcessAlive(CurrentPid(), 0));
  EXPECT_FALSE(ProcessAlive(CurrentPid(), *start + 1));
}

TEST(ProcessIdentityTest, ExitedChildIsDead) {
  pid_t child = fork();
  if (child == 0) _exit(0);
  // Wait for the exit without reaping it: a zombie holds nothing either.
  siginfo_t info{};
  waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT);
  EXPECT_FALSE(ProcessStartTime(child).has_value());
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_FALSE(ProcessAlive(child, 0));
}

TEST(ProcessIdentityTest, NamesAreNotEmpty) {
  EXPECT_FALSE(Hostname().empty());
  EXPECT_FALSE(UserName().empty());
}

}  // namespace
}  // namespace cdr::state::internal
