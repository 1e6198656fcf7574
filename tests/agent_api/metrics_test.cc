// GET /metrics read by curl and checked against the Prometheus text exposition format: every sample line is
// `name{labels} value`, every family has # HELP and # TYPE before its samples, and the values are the
// control's.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "agent/api/metrics_text.h"
#include "tests/agent_api/control_api_fixture.h"

namespace cdr::agent::api::testing {
namespace {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Exposition {
  std::vector<Sample> samples;
  std::map<std::string, std::string> types;  // family → type
  std::vector<std::string> problems;
};

std::map<std::string, std::string> ParseLabels(const std::string& text, std::vector<std::string>* problems) {
  static const std::regex kLabel(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$))re");
  std::map<std::string, std::string> labels;
  auto begin = std::sregex_iterator(text.begin(), text.end(), kLabel);
  size_t consumed = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    if (static_cast<size_t>(it->position()) != consumed) break;
    labels[(*it)[1]] = (*it)[2];
    consumed += it->length();
  }
  if (consumed != text.size()) problems->push_back("bad label set: {" + text + "}");
  return labels;
}

Exposition Parse(const std::string& text) {
  static const std::regex kHelp(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*)");
  static const std::regex kType(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  static const std::regex kSample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|NaN|[+-]Inf))");
  Exposition e;
  std::set<std::string> helped;
  std::istringstream lines(text);
  std::string line;
  if (text.empty() || text.back() != '\n') e.problems.push_back("the exposition must end with a newline");
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_match(line, m, kHelp)) {
      helped.insert(m[1]);
    } else if (std::regex_match(line, m, kType)) {
      if (!helped.count(m[1])) e.problems.push_back("TYPE before HELP: " + line);
      e.types[m[1]] = m[2];
    } else if (std::regex_match(line, m, kSample)) {
      Sample s{m[1], ParseLabels(m[2], &e.problems), std::stod(m[3])};
      if (!e.types.count(s.name) || !helped.count(s.name))
        e.problems.push_back("sample without HELP/TYPE: " + line);
      e.samples.push_back(std::move(s));
    } else {
      e.problems.push_back("not a HELP, TYPE or sample line: '" + line + "'");
    }
  }
  return e;
}

std::vector<Sample> Find(const Exposition& e, const std::string& name, const std::string& disk) {
  std::vector<Sample> found;
  for (const auto& s : e.samples) {
    if (s.name == name && s.labels.count("disk") && s.labels.at("disk") == disk) found.push_back(s);
  }
  return found;
}

double Value(const Exposition& e, const std::string& name, const std::string& disk) {
  auto found = Find(e, name, disk);
  EXPECT_EQ(found.size(), 1u) << name << " for " << disk;
  return found.empty() ? -1 : found[0].value;
}

TEST_F(ControlApiTest, MetricsAreValidPrometheusTextWithTheControlsValues) {
  CurlReply reply = Get("/metrics");
  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_NE(reply.Header("Content-Type").find("text/plain; version=0.0.4"), std::string::npos);
  Exposition e = Parse(reply.body);
  EXPECT_TRUE(e.problems.empty()) << ::testing::PrintToString(e.problems) << "\n" << reply.body;

  const std::map<std::string, std::string> expected_types = {{"cdr_replication_state", "gauge"},
                                                             {"cdr_replication_progress_percent", "gauge"},
                                                             {"cdr_replication_lag_seconds", "gauge"},
                                                             {"cdr_replication_bytes_sent_total", "counter"},
                                                             {"cdr_full_sync_bytes_sent_total", "counter"},
                                                             {"cdr_repair_bytes_sent_total", "counter"},
                                                             {"cdr_journal_bytes", "gauge"},
                                                             {"cdr_journal_seq", "gauge"},
                                                             {"cdr_acked_seq", "gauge"},
                                                             {"cdr_link_up", "gauge"},
                                                             {"cdr_agent_fenced", "gauge"}};
  EXPECT_EQ(e.types, expected_types);
  for (const auto& s : e.samples) {
    // cdr's names join the agent's series with the shadow's, the DR hosts' and cdr serve's.
    EXPECT_EQ(s.labels.at("group"), "web") << s.name;
    EXPECT_EQ(s.labels.at("server"), "frontend") << s.name;
    EXPECT_EQ(s.labels.at("server_id"), "web-1") << s.name;
    // The fence is the agent's, not a disk's.
    EXPECT_EQ(s.labels.count("disk"), s.name == "cdr_agent_fenced" ? 0u : 1u) << s.name;
  }

  const AgentStatus status = FakeReplicationControl::SampleStatus();
  for (const auto& d : status.disks) {
    std::vector<Sample> states = Find(e, "cdr_replication_state", d.disk);
    EXPECT_EQ(states.size(), KnownReplicationStates().size());
    int ones = 0;
    for (const auto& s : states) {
      if (s.value == 1) {
        ++ones;
        EXPECT_EQ(s.labels.at("state"), d.state);
      } else {
        EXPECT_EQ(s.value, 0);
      }
    }
    EXPECT_EQ(ones, 1) << d.disk;
    EXPECT_DOUBLE_EQ(Value(e, "cdr_replication_progress_percent", d.disk), d.progress_percent);
    EXPECT_DOUBLE_EQ(Value(e, "cdr_replication_lag_seconds", d.disk), d.lag_seconds);
    EXPECT_DOUBLE_EQ(Value(e, "cdr_replication_bytes_sent_total", d.disk), d.bytes_sent);
    EXPECT_DOUBLE_EQ(Value(e, "cdr_full_sync_bytes_sent_total", d.disk), d.full_sync_bytes_sent);
    EXPECT_DOUBLE_EQ(Value(e, "cdr_repair_bytes_sent_total", d.disk), d.repair_bytes_sent);
    EXPECT_DOUBLE_EQ(Value(e, "cdr_journal_bytes", d.disk), d.journal_bytes);
    EXPECT_DOUBLE_EQ(Value(e, "cdr_journal_seq", d.disk), d.journal_seq);
    EXPECT_DOUBLE_EQ(Value(e, "cdr_acked_seq", d.disk), d.acked_seq);
    EXPECT_DOUBLE_EQ(Value(e, "cdr_link_up", d.disk), d.link_up ? 1 : 0);
  }
}

TEST_F(ControlApiTest, MetricsNeedTheToken) { EXPECT_EQ(Get("/metrics", "wrong").status, 401); }

TEST(MetricsTextTest, EscapesLabelValuesAndKeepsUnknownStates) {
  AgentStatus status;
  status.server_id = "we\"b\\1\n";
  DiskReplicationStatus disk;
  disk.disk = "vda";
  disk.state = "reverse_realtime";
  status.disks = {disk};
  Exposition e = Parse(RenderPrometheusMetrics(status));
  EXPECT_TRUE(e.problems.empty()) << ::testing::PrintToString(e.problems);
  ASSERT_FALSE(e.samples.empty());
  EXPECT_EQ(e.samples[0].labels.at("server_id"), R"(we\"b\\1\n)");
  auto states = Find(e, "cdr_replication_state", "vda");
  EXPECT_EQ(states.size(), KnownReplicationStates().size() + 1);
  EXPECT_EQ(states.back().labels.at("state"), "reverse_realtime");
  EXPECT_EQ(states.back().value, 1);
}

TEST(MetricsTextTest, NoDisksStillDescribesEveryFamily) {
  Exposition e = Parse(RenderPrometheusMetrics(AgentStatus{}));
  EXPECT_TRUE(e.problems.empty()) << ::testing::PrintToString(e.problems);
  EXPECT_EQ(e.types.size(), 11u);
  ASSERT_EQ(e.samples.size(), 1u) << "only the agent's own cdr_agent_fenced";
  EXPECT_EQ(e.samples[0].name, "cdr_agent_fenced");
  EXPECT_EQ(e.samples[0].value, 0);
}

TEST(MetricsTextTest, TheParserRejectsMalformedLines) {
  EXPECT_FALSE(Parse("cdr_x 1\n").problems.empty()) << "sample without HELP/TYPE";
  EXPECT_FALSE(Parse("# HELP cdr_x x\n# TYPE cdr_x gauge\ncdr_x{disk=vda} 1\n").problems.empty());
  EXPECT_FALSE(Parse("# HELP cdr_x x\n# TYPE cdr_x gauge\ncdr_x 1.2.3\n").problems.empty());
  EXPECT_TRUE(Parse("# HELP cdr_x x\n# TYPE cdr_x gauge\ncdr_x{disk=\"v\"} 1\n").problems.empty());
}

}  // namespace
}  // namespace cdr::agent::api::testing
