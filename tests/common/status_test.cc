#include "common/status.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/digest.h"
#include "common/json_file.h"

namespace cdr {
namespace {

TEST(StatusTest, OkAndErrorsCarryCodeAndMessage) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = NotFound("host web-9");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NotFound: host web-9");
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad = Aborted("locked");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kAborted);
}

TEST(DigestTest, Sha256OfKnownInput) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(JsonFileTest, RoundTripsAndReportsMissingAndCorrupt) {
  auto dir = std::filesystem::temp_directory_path() / ("cdr-json-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto file = dir / "sub" / "a.json";
  ASSERT_TRUE(WriteJsonFileAtomically(file, {{"k", 1}}).ok());
  auto read = ReadJsonFile(file);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ((*read)["k"], 1);
  EXPECT_EQ(ReadJsonFile(dir / "missing.json").status().code(), StatusCode::kNotFound);
  std::filesystem::create_directories(dir);
  { std::FILE* f = std::fopen((dir / "bad.json").c_str(), "w"); std::fputs("{oops", f); std::fclose(f); }
  EXPECT_EQ(ReadJsonFile(dir / "bad.json").status().code(), StatusCode::kDataLoss);
  std::filesystem::remove_all(dir);
}

TEST(JsonFileTest, WritesAFileNamedWithoutADirectory) {
  auto dir = std::filesystem::temp_directory_path() / ("cdr-json-cwd-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto old = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  Status written = WriteJsonFileAtomically("plain.json", {{"k", 2}});
  std::filesystem::current_path(old);
  EXPECT_TRUE(written.ok()) << written.ToString();
  EXPECT_TRUE(std::filesystem::exists(dir / "plain.json"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cdr
