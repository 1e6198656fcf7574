// Every fuzz target (fuzz/) over its seed corpus and over every input that once made it fail, in the normal and
// the sanitizer suites: a regression found by `make fuzz` stays fixed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "fuzz/fuzz_target.h"

namespace cdr::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> Inputs(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file()) out.push_back(e.path());
  return out;
}

TEST(FuzzReplayTest, EveryTargetRunsItsCorpusAndRegressions) {
  const fs::path root = fs::path(CDR_SOURCE_DIR) / "fuzz";
  size_t sources = 0;  // fuzz/fuzz_*.cc: one target each
  for (const auto& e : fs::directory_iterator(root))
    if (e.path().filename().string().rfind("fuzz_", 0) == 0 && e.path().extension() == ".cc") ++sources;
  ASSERT_EQ(Targets().size(), sources) << "a fuzz target is missing from the replay";
  for (const auto& [name, target] : Targets()) {
    const std::vector<fs::path> corpus = Inputs(root / "corpus" / name);
    EXPECT_FALSE(corpus.empty()) << "fuzz/corpus/" << name << " has no seeds";
    std::vector<fs::path> inputs = corpus;
    for (const auto& p : Inputs(root / "regressions" / name)) inputs.push_back(p);
    for (const auto& p : inputs) {
      std::ifstream in(p, std::ios::binary);
      const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
      SCOPED_TRACE(p.string());
      EXPECT_EQ(target(bytes.data(), bytes.size()), 0);
    }
  }
}

}  // namespace
}  // namespace cdr::fuzz
