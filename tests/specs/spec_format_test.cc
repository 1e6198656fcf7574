// cdr fmt's layout: spacing normalized, comments and values kept, multi-line values verbatim, same document.
#include "specs/spec_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cdr::specs {
namespace {

using ::testing::HasSubstr;

std::string Format(const std::string& text) {
  auto f = FormatSpecText(text, "web.toml");
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? *f : "";
}

TEST(SpecFormatTest, NormalizesSpacingAndKeepsCommentsAndValues) {
  const std::string messy =
      "\n\n[ provider ]\r\ntype=\"local\"   \n\n\n\n# the web tier\n  [[ group ]]  # one group\n"
      "  name   =  \"web-prod\"\nrpo_alert_seconds= 30 # seconds\n"
      "[[group.server]]\nname = \"web-1\"            # aligned comment kept\n"
      "recovery_points={ every_hours = 1, keep = 48 }\n\n\n";
  EXPECT_EQ(Format(messy),
            "[provider]\ntype = \"local\"\n\n# the web tier\n[[group]]  # one group\nname = \"web-prod\"\n"
            "rpo_alert_seconds = 30 # seconds\n\n[[group.server]]\nname = \"web-1\"            # aligned comment kept\n"
            "recovery_points = { every_hours = 1, keep = 48 }\n");
}

TEST(SpecFormatTest, MultiLineStringsAndArraysStayAsWritten) {
  const std::string text =
      "[[group]]\nname = \"g\"\nnote = \"\"\"\n  keep   =   this\n   [not a header]\n\"\"\"\n"
      "tags = [\n    \"a\",   # first\n      \"b\" ,\n]\nraw = '''\n x=1\n'''\n";
  EXPECT_EQ(Format(text), text);
}

TEST(SpecFormatTest, IsIdempotentAndTheExamplesAreAlreadyCanonical) {
  namespace fs = std::filesystem;
  for (const auto& dir : {fs::path(CDR_SOURCE_DIR) / "examples" / "specs", fs::path(CDR_SOURCE_DIR) / "specs"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() != ".toml") continue;
      std::ifstream in(e.path());
      std::stringstream s;
      s << in.rdbuf();
      EXPECT_EQ(Format(s.str()), s.str()) << e.path() << " is not formatted: run cdr fmt";
    }
  }
  const std::string once = Format("a=1\n\n\n[b]\n  c=  [1,2]\n#x\n[d]\n");
  EXPECT_EQ(Format(once), once);
}

TEST(SpecFormatTest, NotTomlIsAnErrorWithItsPosition) {
  auto f = FormatSpecText("[[group]]\nname = \n", "web.toml");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(), HasSubstr("web.toml:2:"));
}

}  // namespace
}  // namespace cdr::specs
