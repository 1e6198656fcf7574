// cdr fmt on a workspace's specs/: -check lists and leaves files alone (exit 3), fmt rewrites them in place
// keeping their mode, and a file that is not TOML is an error with its position that leaves every file as it was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/e2e/cdr_workspace.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

TEST(FmtE2eTest, CheckListsRewriteFixesAndBadTomlIsRefused) {
  CdrWorkspace ws;
  ws.WriteSpec("web.toml", "[[ group ]]\nname=\"web-prod\"\n\n\n\nproduction_zone =  \"az1\"   \n");
  ws.WriteSpec("db.toml", "[[group]]\nname = \"db-prod\"\n");
  fs::permissions(ws.dir() / "specs" / "web.toml", fs::perms(0640));
  const std::string messy = cdr::testing::ReadFile(ws.dir() / "specs" / "web.toml");

  RunResult check = ws.Cdr({"fmt", "-check"});
  EXPECT_EQ(check.exit_code, 3) << check.err;
  EXPECT_THAT(check.out, HasSubstr("specs/web.toml"));
  EXPECT_THAT(check.out, ::testing::Not(HasSubstr("db.toml")));
  EXPECT_EQ(cdr::testing::ReadFile(ws.dir() / "specs" / "web.toml"), messy);

  RunResult fmt = ws.Cdr({"fmt"});
  EXPECT_EQ(fmt.exit_code, 0) << fmt.err;
  EXPECT_THAT(fmt.out, HasSubstr("specs/web.toml"));
  EXPECT_EQ(cdr::testing::ReadFile(ws.dir() / "specs" / "web.toml"), "[[group]]\nname = \"web-prod\"\n\nproduction_zone = \"az1\"\n");
  EXPECT_EQ(fs::status(ws.dir() / "specs" / "web.toml").permissions() & fs::perms::all, fs::perms(0640));
  EXPECT_EQ(ws.Cdr({"fmt", "-check"}).exit_code, 0);

  ws.WriteSpec("bad.toml", "[[group]]\nname = \n");
  ws.WriteSpec("web.toml", messy);
  RunResult bad = ws.Cdr({"fmt"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("bad.toml:2:"));
  EXPECT_THAT(bad.out, HasSubstr("specs/web.toml"));  // the good files are still formatted
  EXPECT_EQ(cdr::testing::ReadFile(ws.dir() / "specs" / "bad.toml"), "[[group]]\nname = \n");
}

}  // namespace
}  // namespace cdr::e2e
