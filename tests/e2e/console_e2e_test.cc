// `cdr serve` over a local cloud with two replicating servers (one with recovery points and a verified drill):
// headless Chromium renders the console page and the DOM shows both servers' states, an RPO chart with samples
// and the task list; Debian's prometheus_client parses cdr serve's /metrics and every daemon's (agent, shadow,
// DR disk), each labelled with cdr's group and server names. `cdr status --watch --count` prints frames.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <list>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "agent/api/free_port.h"
#include "tests/e2e/cdr_workspace.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr const char* kWeb1 = "group.web-prod.server.web-1";
constexpr const char* kWeb2 = "group.web-prod.server.web-2";

json ReadJson(const fs::path& path) { return json::parse(cdr::testing::ReadFile(path), nullptr, false); }

// GET through python's urllib: the same client the metrics check uses, and no HTTP client in the test binary.
// With a token it is sent as a bearer token. The exit code is 22 (and the output empty) on an HTTP error.
cdr::testing::RunResult Fetch(const std::string& url, const std::string& token) {
  return cdr::testing::RunProgram(
      {"/usr/bin/python3", "-c",
       "import sys,urllib.request,urllib.error\n"
       "h = {'Authorization': 'Bearer ' + sys.argv[2]} if sys.argv[2] else {}\n"
       "try: print(urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers=h)).read().decode())\n"
       "except urllib.error.HTTPError as e: print(e.code); sys.exit(22)",
       url, token},
      std::chrono::seconds(30));
}

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "2", "--disk-size-mib", "16"}).exit_code, 0);
    // Both servers keep recovery points; web-2 also has a drill, verified by a command that passes.
    std::string spec = GroupSpec(2, 30, "running");
    const std::string web2 = "\n[[group.server]]\nname = \"web-2\"";
    spec.insert(spec.find(web2), "recovery_points = { every_seconds = 1, keep = 1000 }\n");
    spec += "recovery_points = { every_seconds = 1, keep = 1000 }\n";
    ws_.WriteSpec("web.toml", spec);
    RunResult applied = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
    // A drill needs its server replicating first.
    ws_.WriteSpec("web.toml", spec + "\n[group.server.drill]\nname = \"web2-drill\"\nrecovery_point = \"latest\"\n"
                                     "verify = \"command:true\"\n");
    applied = ws_.Cdr({"apply", "-auto-approve", "-wait-timeout=60"});
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  }

  // Starts `cdr serve` and waits until it has kept `samples` RPO samples of web-1.
  void Serve(size_t samples) {
    auto port = agent::api::PickFreePort("127.0.0.1");
    ASSERT_TRUE(port.ok());
    base_ = "http://127.0.0.1:" + std::to_string(*port);
    const fs::path token_file = ws_.dir() / "console-token";
    serve_.emplace(ws_.StartCdr({"serve", "--listen", "127.0.0.1:" + std::to_string(*port), "--interval", "1",
                                 "--token-file", token_file.string()}));
    const auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(PollUntil([&] { return fs::exists(token_file); }, std::chrono::seconds(60)));
    token_ = cdr::testing::ReadFile(token_file);
    token_.erase(token_.find_last_not_of("\n") + 1);
    ASSERT_TRUE(PollUntil(
        [&] {
          json rpo = json::parse(Get("/api/rpo?server=" + std::string(kWeb1)), nullptr, false);
          return !rpo.is_discarded() && rpo["samples"].size() >= samples;
        },
        std::chrono::seconds(120)))
        << "cdr serve kept fewer than " << samples << " RPO samples of web-1";
    ready_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }

  void TearDown() override {
    if (serve_) {
      ::kill(serve_->pid(), SIGTERM);
      RunResult stopped = serve_->Wait(std::chrono::seconds(30));
      EXPECT_EQ(stopped.exit_code, 0) << "cdr serve did not stop cleanly on SIGTERM: " << stopped.err;
    }
  }

  std::string Get(const std::string& path) {
    auto r = Fetch(base_ + path, token_);
    return r.exit_code == 0 ? r.out : "";
  }

  std::vector<std::string> Chromium(const std::vector<std::string>& extra) {
    user_data_.emplace_back();
    std::vector<std::string> args = {"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                                     "--no-first-run", "--disable-background-networking",
                                     "--disable-component-update", "--disable-sync",
                                     "--user-data-dir=" + user_data_.back().path().string(),
                                     "--virtual-time-budget=10000"};
    args.insert(args.end(), extra.begin(), extra.end());
    // The link cdr serve prints: the answer sets the cookie the page's own requests carry.
    args.push_back(base_ + "/?token=" + token_);
    return args;
  }

  CdrWorkspace ws_;
  std::optional<BackgroundCdr> serve_;
  std::string base_;
  std::string token_;  // cdr serve's
  double ready_seconds_ = 0;
  std::list<cdr::testing::TempDir> user_data_;
};

TEST_F(ConsoleTest, ChromiumRendersStatesRpoChartsAndTasks) {
  // CI installs chromium (.ci/install-deps.sh): its absence is a failure, not a reason to skip.
  ASSERT_EQ(cdr::testing::RunProgram({"chromium", "--version"}).exit_code, 0) << "chromium is not installed";
  Serve(3);
  std::cout << "cdr serve: 3 rounds observed " << ready_seconds_ << " s after start\n";

  auto run = cdr::testing::RunProgram(Chromium({"--dump-dom"}), std::chrono::seconds(120));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string& html = run.out;
  EXPECT_THAT(html, HasSubstr("data-ready=\"1\"")) << html;
  for (const char* server : {"web-prod/web-1", "web-prod/web-2"}) {
    // One row per server, cut out first: std::regex over the whole page would recurse too deep.
    const size_t start = html.find(std::string("<tr class=\"server\" data-server=\"") + server + "\">");
    ASSERT_NE(start, std::string::npos) << server << " has no row:\n" << html;
    const std::string row = html.substr(start, html.find("</tr>", start) - start);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(row, m, std::regex("<td class=\"state\">([a-z_]+)</td>"))) << row;
    EXPECT_EQ(m[1], "realtime") << row;
    ASSERT_TRUE(std::regex_search(row, m, std::regex("<td class=\"health h-([a-z_]+)\">"))) << row;
    EXPECT_EQ(m[1], "healthy") << row;
    ASSERT_TRUE(std::regex_search(row, m, std::regex("<svg[^>]*class=\"rpo-chart\"[^>]*data-samples=\"([0-9]+)\""))) << row;
    EXPECT_GE(std::stoi(m[1]), 3) << row;
    EXPECT_THAT(row, HasSubstr("<polyline")) << row;
  }
  EXPECT_THAT(html, HasSubstr("<tr class=\"job\" data-status=\"succeeded\">"));
  std::smatch points;
  ASSERT_TRUE(std::regex_search(html, points, std::regex("class=\"rp-timeline\" data-points=\"([0-9]+)\""))) << html;
  EXPECT_GE(std::stoi(points[1]), 1) << "the recovery point timeline shows no point";
  EXPECT_THAT(html, HasSubstr("data-health=\"healthy\"><b>2</b>"));

  const fs::path png = ws_.dir() / "console.png";
  auto shot = cdr::testing::RunProgram(Chromium({"--screenshot=" + png.string(), "--window-size=1280,900"}),
                                       std::chrono::seconds(120));
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  const std::string bytes = cdr::testing::ReadFile(png);
  EXPECT_GT(bytes.size(), 10000u);
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  // The README's picture: refreshed on request only, so a test run leaves the source tree alone.
  if (const char* update = std::getenv("CDR_UPDATE_SCREENSHOT"); update && std::string(update) == "1") {
    fs::copy_file(png, fs::path(CDR_SOURCE_DIR) / "docs" / "console.png", fs::copy_options::overwrite_existing);
  }
}

TEST_F(ConsoleTest, EveryMetricsEndpointParsesAndCarriesGroupAndServerLabels) {
  Serve(1);
  // The agents' control API is HTTPS for cdr's client certificate (ROOT/pki/cdr).
  std::vector<std::string> args = {"/usr/bin/python3", std::string(CDR_SOURCE_DIR) + "/tests/e2e/prometheus_scrape.py",
                                   "--tls-dir", (ws_.cloud() / "pki" / "cdr").string(), base_ + "/metrics", token_};
  std::vector<std::string> kinds = {"serve"};
  // cdr serve: nothing without its token, and no token (its own or an agent's) in what it serves.
  EXPECT_EQ(Fetch(base_ + "/metrics", "").out, "401\n");
  EXPECT_EQ(Fetch(base_ + "/api/status", "wrong").out, "401\n");
  std::string served;
  for (const char* path : {"/", "/metrics", "/api/status", "/api/jobs"}) served += Get(path);
  EXPECT_NE(served.find("cdr_"), std::string::npos) << served;
  EXPECT_EQ(served.find(token_), std::string::npos) << "cdr serve's token is in what it serves";
  for (const auto& host : {"host-1", "host-2"}) {
    json agent = ReadJson(ws_.cloud() / "agents" / host / "agent.json");
    // The token is only in the agent's 0600 token file, never in agent.json.
    std::string token = cdr::testing::ReadFile(ws_.cloud() / "agents" / host / "token");
    while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
    EXPECT_EQ(served.find(token), std::string::npos) << host << "'s token is in what cdr serve serves";
    args.insert(args.end(), {"https://" + agent["api_address"].get<std::string>() + "/metrics", token});
    kinds.push_back("agent");
  }
  for (const char* kind : {"shadows", "dr_hosts"}) {
    for (const auto& e : fs::directory_iterator(ws_.cloud() / kind)) {
      if (e.path().extension() != ".json") continue;
      json record = ReadJson(e.path());
      ASSERT_TRUE(record.contains("metrics_address") && !record["metrics_address"].get<std::string>().empty())
          << e.path() << ": " << record.dump();
      const fs::path token = ws_.cloud() / "zones" / record["zone"].get<std::string>() / kind /
                             record["id"].get<std::string>() / "metrics.token";
      std::string secret = cdr::testing::ReadFile(token);
      secret.erase(secret.find_last_not_of("\n") + 1);
      args.insert(args.end(), {"http://" + record["metrics_address"].get<std::string>() + "/metrics", secret});
      kinds.push_back(kind);
    }
  }
  ASSERT_EQ(kinds.size(), 6u) << "serve, 2 agents, 2 shadow hosts, 1 DR host";
  json pages;
  auto find = [&](const std::string& kind, const std::string& name,
                  const std::map<std::string, std::string>& want) -> std::optional<double> {
    for (size_t i = 0; i < pages.size(); ++i) {
      if (kinds[i] != kind) continue;
      for (const auto& s : pages[i]["samples"]) {
        bool match = s["name"] == name;
        for (const auto& [k, v] : want) match = match && s["labels"].value(k, "") == v;
        if (match) return s["value"].get<double>();
      }
    }
    return std::nullopt;
  };
  std::string parse_error;
  // The shadow host takes web-2's first scheduled recovery point within a second or so of realtime.
  ASSERT_TRUE(PollUntil(
      [&] {
        auto scraped = cdr::testing::RunProgram(args, std::chrono::seconds(60));
        parse_error = scraped.exit_code == 0 ? "" : scraped.err;
        pages = scraped.exit_code == 0 ? json::parse(scraped.out) : json::array();
        return find("shadows", "cdr_shadow_newest_recovery_point_age_seconds", {{"server", "web-2"}}).has_value();
      },
      std::chrono::seconds(60)))
      << "no recovery point age for web-2; parser: " << parse_error << "\n" << pages.dump();
  ASSERT_EQ(pages.size(), kinds.size());

  std::map<std::string, std::set<std::string>> servers_by_kind;  // which cdr server names each kind labels
  for (size_t i = 0; i < pages.size(); ++i) {
    ASSERT_FALSE(pages[i]["samples"].empty()) << pages[i]["url"];
    for (const auto& s : pages[i]["samples"]) {
      const json& labels = s["labels"];
      if (kinds[i] == "serve" && !labels.contains("server")) continue;  // the estate's and groups' own series
      EXPECT_EQ(labels.value("group", ""), "web-prod") << kinds[i] << " " << s.dump();
      ASSERT_TRUE(labels.contains("server")) << kinds[i] << " " << s.dump();
      servers_by_kind[kinds[i]].insert(labels["server"]);
    }
  }
  const std::set<std::string> both = {"web-1", "web-2"};
  EXPECT_EQ(servers_by_kind["serve"], both);
  EXPECT_EQ(servers_by_kind["agent"], both);
  EXPECT_EQ(servers_by_kind["shadows"], both);
  EXPECT_EQ(servers_by_kind["dr_hosts"], std::set<std::string>{"web-2"});

  auto value = [&](const std::string& kind, const std::string& name, const std::map<std::string, std::string>& want) {
    std::optional<double> v = find(kind, name, want);
    EXPECT_TRUE(v.has_value()) << kind << " has no " << name;
    return v.value_or(-1.0);
  };
  EXPECT_EQ(value("serve", "cdr_server_health", {{"server", "web-1"}, {"health", "healthy"}}), 1);
  EXPECT_GE(value("serve", "cdr_server_rpo_seconds", {{"server", "web-2"}}), 0);
  EXPECT_EQ(value("agent", "cdr_replication_state", {{"server", "web-1"}, {"state", "realtime"}}), 1);
  EXPECT_GT(value("shadows", "cdr_shadow_applied_seq", {{"server", "web-2"}}), -1);
  EXPECT_EQ(value("shadows", "cdr_shadow_replica_consistent", {{"server", "web-1"}}), 1);
  EXPECT_GT(value("shadows", "cdr_shadow_history_bytes", {{"server", "web-2"}}), 0);
  EXPECT_GE(value("shadows", "cdr_shadow_newest_recovery_point_age_seconds", {{"server", "web-2"}}), 0);
  EXPECT_EQ(value("dr_hosts", "cdr_dr_host_up", {{"server", "web-2"}}), 1);
  EXPECT_EQ(value("dr_hosts", "cdr_dr_host_verification", {{"server", "web-2"}, {"result", "passed"}}), 1);
}

TEST_F(ConsoleTest, StatusWatchPrintsBoundedFramesOfTheSameStatus) {
  RunResult once = ws_.Cdr({"status"});
  ASSERT_EQ(once.exit_code, 0) << once.err;
  RunResult watched = ws_.Cdr({"status", "--watch", "--interval", "1", "--count", "2"});
  ASSERT_EQ(watched.exit_code, 0) << watched.err;
  size_t frames = 0;
  for (size_t at = watched.out.find("Every 1s: cdr status"); at != std::string::npos;
       at = watched.out.find("Every 1s: cdr status", at + 1)) {
    ++frames;
  }
  EXPECT_EQ(frames, 2u) << watched.out;
  // The same rendering as `cdr status`: its first lines (the group overview) are in every frame.
  const std::string first_line = once.out.substr(0, once.out.find('\n'));
  EXPECT_THAT(watched.out, HasSubstr(first_line));
  EXPECT_THAT(watched.out, HasSubstr("web-1"));
  EXPECT_THAT(watched.out, HasSubstr("web-2"));
}

}  // namespace
}  // namespace cdr::e2e
