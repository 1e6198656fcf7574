// Two operators in two working directories sharing one state on PostgreSQL (and one cloud): their applies are
// serialized by the lock, a holder killed with -9 is taken over at once (its database session is gone), and
// nothing is created twice. And `cdr state migrate` moves an estate SQLite → PostgreSQL → SQLite unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/e2e/cdr_workspace.h"
#include "tests/support/postgres_server.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// The group spec with the cloud at an absolute path, so a second working directory manages the same cloud.
std::string SharedCloudSpec(const CdrWorkspace& owner, int servers) {
  std::string spec = GroupSpec(servers);
  const std::string relative = "root = \".cdr/cloud\"";
  spec.replace(spec.find(relative), relative.size(), "root = \"" + owner.cloud().string() + "\"");
  return spec;
}

class SharedPostgresStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    url_ = cdr::testing::NewPostgresDatabase(&error);
    ASSERT_FALSE(url_.empty()) << error;
  }
  void TearDown() override {
    if (!url_.empty()) cdr::testing::DropPostgresDatabase(url_);
  }

  // `cdr --state URL ARGS…` in `ws`.
  std::vector<std::string> On(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--state", url_});
    return args;
  }
  size_t Jobs(CdrWorkspace& ws) {
    RunResult r = ws.Cdr(On({"jobs", "--json", "--limit", "100"}));
    auto parsed = nlohmann::json::parse(r.out, nullptr, false);
    return parsed.is_array() ? parsed.size() : 0;
  }
  void ExpectOneOfEach(const CdrWorkspace& owner, size_t agents) {
    EXPECT_EQ(owner.CountFiles(owner.cloud() / "peerings"), 1u);
    EXPECT_EQ(owner.CountFiles(owner.cloud() / "endpoints"), 1u);
    EXPECT_EQ(owner.CountFiles(owner.cloud() / "agents"), agents);
  }

  // What every session of the test database is doing: printed when a wait times out.
  std::string Sessions() const {
    const auto host = url_.find("host=");
    const std::string socket_dir = url_.substr(host + 5, url_.find('&', host) - host - 5);
    return cdr::testing::RunProgram({"psql", "-h", socket_dir, "-U", "postgres", "-d", "postgres", "-c",
                                     "SELECT pid, datname, state, wait_event_type, wait_event, left(query, 60) "
                                     "FROM pg_stat_activity WHERE datname LIKE 'cdr_test%'"})
        .out;
  }

  std::string url_;
};

TEST_F(SharedPostgresStateTest, ApplicationsFromTwoDirectoriesAreSerialized) {
  CdrWorkspace a("a"), b("b");
  ASSERT_EQ(a.Cdr({"local", "init", "--hosts", "2", "--disk-size-mib", "16", "--op-delay-ms", "400"}).exit_code, 0);
  a.WriteSpec("web.toml", SharedCloudSpec(a, 2));
  b.WriteSpec("web.toml", SharedCloudSpec(a, 2));
  BackgroundCdr first = a.StartCdr(On({"apply", "--auto-approve"}));
  if (!PollUntil([&] { return b.Cdr(On({"lock"})).out.find("locked by") != std::string::npos; }, 60s)) {
    RunResult l = b.Cdr(On({"lock"}));
    RunResult f = first.Wait(5s);
    FAIL() << "lock: " << l.out << l.err << " first: " << f.exit_code << f.out << f.err;
  }

  // Refused at once without -lock-timeout, naming the holder in the other directory.
  RunResult refused = b.Cdr(On({"apply", "--auto-approve"}));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("(apply, pid " + std::to_string(first.pid())));
  EXPECT_THAT(refused.err, HasSubstr("cdr force-unlock"));
  // With it, the second waits for the first and then finds nothing left to do.
  RunResult second = b.Cdr(On({"apply", "--auto-approve", "-lock-timeout", "120s"}));
  RunResult done = first.Wait();
  ASSERT_EQ(done.exit_code, 0) << done.out << done.err;
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_THAT(second.err, HasSubstr("Acquiring state lock"));
  EXPECT_THAT(second.out, HasSubstr("No changes"));
  ExpectOneOfEach(a, 2);
  EXPECT_THAT(b.Cdr(On({"lock"})).out, HasSubstr("not locked"));
}

TEST_F(SharedPostgresStateTest, AKilledHolderIsTakenOverWithoutDuplicates) {
  CdrWorkspace a("a"), b("b");
  ASSERT_EQ(a.Cdr({"local", "init", "--hosts", "3", "--disk-size-mib", "16", "--op-delay-ms", "500"}).exit_code, 0);
  a.WriteSpec("web.toml", SharedCloudSpec(a, 3));
  b.WriteSpec("web.toml", SharedCloudSpec(a, 3));
  BackgroundCdr first = a.StartCdr(On({"apply", "--auto-approve"}));
  if (!PollUntil([&] { return Jobs(b) >= 3; }, 60s)) {
    std::string sessions = Sessions();
    RunResult f = first.Wait(std::chrono::seconds(2));
    FAIL() << sessions << "first: " << f.exit_code << "\n" << f.out << f.err;
  }
  first.Kill9();
  ASSERT_LT(a.CountFiles(a.cloud() / "agents"), 3u) << "the kill landed after the apply finished";

  // The server ends the killed holder's session and with it the advisory lock; the lock row is taken over.
  RunResult resumed = b.Cdr(On({"apply", "--auto-approve", "-lock-timeout", "60s"}));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  ExpectOneOfEach(a, 3);
  RunResult plan = b.Cdr(On({"plan", "-detailed-exitcode"}));
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  auto jobs = nlohmann::json::parse(b.Cdr(On({"jobs", "--json", "--limit", "100"})).out);
  for (const auto& j : jobs) EXPECT_NE(j["status"], "running") << j.dump();
}

// `sqlite3 FILE .dump` with the lines sorted: row order is insertion order, which a copy need not keep.
std::string SortedDump(const std::filesystem::path& file) {
  auto dump = cdr::testing::RunProgram({"sqlite3", file.string(), ".dump"});
  EXPECT_EQ(dump.exit_code, 0) << dump.err;
  std::vector<std::string> lines;
  std::istringstream in(dump.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST_F(SharedPostgresStateTest, MigrateRoundTripSqliteToPostgresAndBackIsEqual) {
  CdrWorkspace ws;
  ASSERT_EQ(ws.Cdr({"local", "init", "--hosts", "1", "--disk-size-mib", "16"}).exit_code, 0);
  ws.WriteSpec("web.toml", GroupSpec(1));
  ASSERT_EQ(ws.Cdr({"apply", "--auto-approve"}).exit_code, 0);

  RunResult there = ws.Cdr({"state", "migrate", "--to", url_});
  ASSERT_EQ(there.exit_code, 0) << there.out << there.err;
  EXPECT_THAT(there.out, HasSubstr("resources 4;"));
  RunResult again = ws.Cdr({"state", "migrate", "--to", url_});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("is not empty"));

  const auto back = ws.dir() / "back.db";
  RunResult home = ws.Cdr({"state", "migrate", "--from", url_, "--to", back.string()});
  ASSERT_EQ(home.exit_code, 0) << home.out << home.err;
  EXPECT_EQ(SortedDump(ws.dir() / ".cdr" / "state.db"), SortedDump(back));
  // The copy is the estate: planning against it changes nothing (a plan records what it observed, hence after
  // the comparison).
  RunResult plan = ws.Cdr(On({"plan", "-detailed-exitcode"}));
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
}

}  // namespace
}  // namespace cdr::e2e
