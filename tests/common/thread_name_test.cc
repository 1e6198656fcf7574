#include "common/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <string>
#include <thread>

namespace cdr {
namespace {

std::string NameOfThisThread() {
  char name[16] = {};
  EXPECT_EQ(pthread_getname_np(pthread_self(), name, sizeof name), 0);
  return name;
}

TEST(ThreadNameTest, TheCallingThreadCarriesTheName) {
  std::string seen;
  std::thread t([&] {
    NameThisThread("nbd-worker");
    seen = NameOfThisThread();
  });
  t.join();
  EXPECT_EQ(seen, "nbd-worker");
}

TEST(ThreadNameTest, ANameOverTheKernelLimitLeavesTheOldOne) {
  std::string seen;
  std::thread t([&] {
    NameThisThread("repl-sender");
    NameThisThread("a-name-of-more-than-fifteen-characters");
    seen = NameOfThisThread();
  });
  t.join();
  EXPECT_EQ(seen, "repl-sender");
}

}  // namespace
}  // namespace cdr
