#include "providers/local/internal/run_tool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdr::providers::local::internal {
namespace {

using ::testing::HasSubstr;

TEST(RunToolTest, FindsMkfsExt4) {
  auto mkfs = FindTool("mkfs.ext4");
  ASSERT_TRUE(mkfs.ok()) << mkfs.status().ToString();
  EXPECT_TRUE(mkfs->is_absolute());
}

TEST(RunToolTest, MissingToolNeedsOperator) {
  EXPECT_EQ(FindTool("no-such-tool-cdr").status().code(), StatusCode::kFailedPrecondition);
}

TEST(RunToolTest, PassesArgumentsWithoutShellAndCapturesStderr) {
  auto sh = FindTool("sh");
  ASSERT_TRUE(sh.ok());
  auto result = RunTool(*sh, {"-c", "echo \"$1\" >&2; exit 3", "sh", "a b;c"});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_EQ(result->stderr_text, "a b;c\n");
}

TEST(RunToolTest, CheckedTurnsFailureIntoInternalWithStderr) {
  auto sh = FindTool("sh");
  ASSERT_TRUE(sh.ok());
  EXPECT_TRUE(RunToolChecked(*sh, {"-c", "exit 0"}).ok());
  Status failed = RunToolChecked(*sh, {"-c", "echo broken disk >&2; exit 1"});
  EXPECT_EQ(failed.code(), StatusCode::kInternal);
  EXPECT_THAT(failed.message(), HasSubstr("broken disk"));
}

TEST(RunToolTest, UnstartableProgramFails) { EXPECT_FALSE(RunTool("/nonexistent/tool", {}).ok()); }

}  // namespace
}  // namespace cdr::providers::local::internal
