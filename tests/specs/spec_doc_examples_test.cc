// The examples in docs/spec.md must load cleanly: a reader copies them.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "specs/load_spec.h"
#include "tests/specs/spec_test_util.h"

namespace cdr::specs {
namespace {

using testing_util::AllDiagnostics;

constexpr char kExampleServer[] =
    "[[group]]\nname = \"web\"\nproduction_zone = \"az1\"\ndr_zone = \"az2\"\nvpc = \"v\"\n"
    "[[group.server]]\nname = \"web-1\"\nhost = \"host-1\"\n";

// Every ```toml block of the document, in order.
std::vector<std::string> TomlBlocks() {
  std::ifstream in(std::string(CDR_SOURCE_DIR) + "/docs/spec.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> blocks;
  for (size_t at = doc.find("```toml\n"); at != std::string::npos; at = doc.find("```toml\n", at)) {
    at += 8;
    const size_t end = doc.find("```", at);
    blocks.push_back(doc.substr(at, end - at));
    at = end;
  }
  return blocks;
}

TEST(SpecDocExamplesTest, TheFullExampleLoads) {
  const std::vector<std::string> blocks = TomlBlocks();
  ASSERT_FALSE(blocks.empty()) << "docs/spec.md has no toml example";
  LoadResult result = LoadSpecDocuments({{"example.toml", blocks.front()}});
  EXPECT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  ASSERT_EQ(result.spec.groups.size(), 1u);
  const std::vector<ServerSpec>& servers = result.spec.groups[0].servers;
  ASSERT_EQ(servers.size(), 3u);
  EXPECT_TRUE(servers[0].drill.has_value());
  EXPECT_TRUE(servers[2].failover.has_value());
}

TEST(SpecDocExamplesTest, DrillFailoverAndFailbackSnippetsLoad) {
  int snippets = 0;
  for (const std::string& block : TomlBlocks()) {
    if (!block.starts_with("[group.server.drill]") && !block.starts_with("[group.server.failover]") &&
        !block.starts_with("[group.server.failback]") && !block.starts_with("[group.failover]")) {
      continue;
    }
    ++snippets;
    LoadResult result = LoadSpecDocuments({{"snippet.toml", kExampleServer + block}});
    EXPECT_TRUE(result.diagnostics.empty()) << block << AllDiagnostics(result);
  }
  EXPECT_EQ(snippets, 6);
}

TEST(SpecDocExamplesTest, RecoveryPointLinesLoad) {
  int lines = 0;
  for (const std::string& block : TomlBlocks()) {
    if (!block.starts_with("recovery_points = ")) continue;
    for (size_t at = 0; at < block.size();) {
      const size_t end = block.find('\n', at);
      ++lines;
      LoadResult result = LoadSpecDocuments({{"snippet.toml", kExampleServer + block.substr(at, end - at + 1)}});
      EXPECT_TRUE(result.diagnostics.empty()) << block.substr(at, end - at) << AllDiagnostics(result);
      at = end + 1;
    }
  }
  EXPECT_EQ(lines, 2);
}

TEST(SpecDocExamplesTest, AgentSettingsSnippetLoads) {
  int snippets = 0;
  for (const std::string& block : TomlBlocks()) {
    if (!block.starts_with("replication_mode = ")) continue;
    ++snippets;
    LoadResult result = LoadSpecDocuments({{"snippet.toml", kExampleServer + block}});
    EXPECT_TRUE(result.diagnostics.empty()) << block << AllDiagnostics(result);
    EXPECT_EQ(result.spec.groups.at(0).servers.at(0).agent_settings.journal_max_mib, 2048);
  }
  EXPECT_EQ(snippets, 1);
}

}  // namespace
}  // namespace cdr::specs
