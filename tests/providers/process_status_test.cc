// The name tables of providers/: a process's status and a drill check's kind.
#include "providers/process_status.h"

#include <gtest/gtest.h>

#include "providers/dr_check_kind.h"
#include "providers/types/agent.h"
#include "providers/types/dr_host.h"
#include "providers/types/shadow_host.h"

namespace cdr::providers {
namespace {

TEST(ProcessStatusTest, RunningAndStoppedAndNothingElse) {
  Agent agent;
  agent.status = "running";
  EXPECT_EQ(ProcessStatusOf(agent), ProcessStatus::kRunning);
  agent.status = "stopped";
  EXPECT_EQ(ProcessStatusOf(agent), ProcessStatus::kStopped);
  agent.status = "";
  EXPECT_EQ(ProcessStatusOf(agent), std::nullopt);  // not said: neither running nor stopped
  ShadowHost shadow;
  shadow.status = "starting";
  EXPECT_EQ(ProcessStatusOf(shadow), std::nullopt);
  EXPECT_STREQ(ProcessStatusName(ProcessStatus::kRunning), "running");
}

TEST(DrCheckKindTest, NamesParseBack) {
  for (const auto& row : kDrCheckKindNames)
    EXPECT_EQ(ParseDrCheckKind(DrCheckKindName(row.value)), row.value);
  EXPECT_EQ(ParseDrCheckKind("command:true"), std::nullopt);
}

}  // namespace
}  // namespace cdr::providers
