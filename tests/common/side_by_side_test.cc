#include "common/side_by_side.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

namespace cdr {
namespace {

TEST(SideBySideTest, BothStepsRunAtOnce) {
  // Each step waits for the other to have started: run one after the other, `here` would time out.
  std::promise<void> here_started, beside_started;
  std::future<void> here_seen = here_started.get_future(), beside_seen = beside_started.get_future();
  Status s = SideBySide(
      [&] {
        here_started.set_value();
        return beside_seen.wait_for(std::chrono::seconds(30)) == std::future_status::ready ? Status::Ok()
                                                                                           : Internal("alone");
      },
      [&] {
        beside_started.set_value();
        return here_seen.wait_for(std::chrono::seconds(30)) == std::future_status::ready ? Status::Ok()
                                                                                         : Internal("alone");
      });
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(SideBySideTest, EitherFailureIsReportedHeresFirst) {
  EXPECT_EQ(SideBySide([] { return Status::Ok(); }, [] { return Internal("beside"); }).ToString(),
            Internal("beside").ToString());
  EXPECT_EQ(SideBySide([] { return Internal("here"); }, [] { return Status::Ok(); }).ToString(),
            Internal("here").ToString());
  EXPECT_EQ(SideBySide([] { return Internal("here"); }, [] { return Internal("beside"); }).ToString(),
            Internal("here").ToString());
}

}  // namespace
}  // namespace cdr
