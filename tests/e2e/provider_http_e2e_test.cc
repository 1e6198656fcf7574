// Providers as programs of their own: `cdr provider serve local` puts the local cloud behind the provider
// protocol, a spec with [provider] type = "http" plans and applies through it exactly as in process, and
// `cdr provider test` passes against it and names the broken rules of a deliberately wrong provider.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "agent/api/free_port.h"
#include "tests/e2e/cdr_workspace.h"
#include "tests/support/process_test_util.h"

namespace cdr::e2e {
namespace {

using ::testing::HasSubstr;

std::string HttpProviderBlock(uint16_t port) {
  return "[provider]\ntype = \"http\"\nurl = \"http://127.0.0.1:" + std::to_string(port) +
         "\"\ntoken_file = \".cdr/provider-token\"\n";
}

// Something accepts connections on 127.0.0.1:port.
bool Listening(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return connected;
}

class ProviderHttpTest : public ::testing::Test {
 protected:
  // `cdr provider serve local` in the workspace, once its schema answers.
  void Serve() {
    auto port = agent::api::PickFreePort("127.0.0.1");
    ASSERT_TRUE(port.ok());
    port_ = *port;
    server_.emplace(
        ws_.StartCdr({"provider", "serve", "local", "--listen", "127.0.0.1:" + std::to_string(port_)}));
    ASSERT_TRUE(PollUntil([&] { return Listening(port_); }, std::chrono::seconds(30)))
        << server_->StderrSoFar();
  }
  void TearDown() override {
    if (server_) {  // a graceful stop, so a sanitizer build checks the server's shutdown too
      ::kill(server_->pid(), SIGTERM);
      EXPECT_EQ(server_->Wait(std::chrono::seconds(30)).exit_code, 0);
    }
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  CdrWorkspace ws_;
  uint16_t port_ = 0;
  std::optional<BackgroundCdr> server_;
};

TEST_F(ProviderHttpTest, PlanOverHttpIsThePlanInProcessAndApplyThroughItLeavesNothingToDo) {
  ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "2", "--disk-size-mib", "16"}).exit_code, 0);
  const std::string local_spec = GroupSpec(2);
  const std::string groups = local_spec.substr(local_spec.find("[[group]]"));
  ws_.WriteSpec("web.toml", local_spec);
  RunResult in_process = ws_.Cdr({"plan"});
  ASSERT_EQ(in_process.exit_code, 0) << in_process.err;

  Serve();
  ws_.WriteSpec("web.toml", HttpProviderBlock(port_) + "\n" + groups);
  RunResult over_http = ws_.Cdr({"plan"});
  ASSERT_EQ(over_http.exit_code, 0) << over_http.err;
  EXPECT_EQ(over_http.out, in_process.out);

  RunResult apply = ws_.Cdr({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_THAT(apply.out, HasSubstr("Apply complete! Resources: 5 added"));
  EXPECT_EQ(ws_.CountFiles(ws_.cloud() / "agents"), 2u);
  RunResult again = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  // What the provider program made is what the in-process provider finds.
  ws_.WriteSpec("web.toml", local_spec);
  RunResult local_again = ws_.Cdr({"plan", "-detailed-exitcode"});
  EXPECT_EQ(local_again.exit_code, 0) << local_again.out << local_again.err;
}

// Ignores client tokens (every create makes a new peering) and never says NotFound.
constexpr char kWrongProvider[] = R"(import http.server, itertools, json, sys
ids = itertools.count(1)
class Wrong(http.server.BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        if self.path == "/v1/schema":
            return self.reply(200, {"protocol_version": 1, "provider": "wrong", "types": {"peering": {
                "config": {}, "calls": ["create", "read", "delete"], "operations": []}}})
        if self.path.startswith("/v1/resources/peering/"):
            return self.reply(200, {"resource": {"id": self.path.rsplit("/", 1)[1]}})
        self.reply(404, {"error": {"code": "UnknownType", "message": "no such type"}})
    def do_POST(self):
        if self.headers.get("Authorization") != "Bearer " + sys.argv[2]:
            return self.reply(401, {"error": {"code": "Unauthenticated", "message": "wrong token"}})
        self.rfile.read(int(self.headers["Content-Length"]))
        self.reply(200, {"resource": {"id": "pcx-%d" % next(ids)}})
    def do_DELETE(self):
        self.reply(200, {})
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Wrong).serve_forever()
)";

TEST_F(ProviderHttpTest, ConformanceKitPassesServeLocalAndNamesTheRulesAWrongProviderBreaks) {
  ASSERT_EQ(ws_.Cdr({"local", "init", "--hosts", "0"}).exit_code, 0);
  Serve();
  RunResult good = ws_.Cdr({"provider", "test", Url(), "--token-file", ".cdr/provider-token"});
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_THAT(good.out, HasSubstr("all 8 rules passed"));

  std::ofstream(ws_.dir() / "wrong.py") << kWrongProvider;
  std::ofstream(ws_.dir() / "wrong-token") << "t0ken\n";
  std::filesystem::permissions(ws_.dir() / "wrong-token", std::filesystem::perms::owner_read);
  auto port = agent::api::PickFreePort("127.0.0.1");
  ASSERT_TRUE(port.ok());
  const std::string url = "http://127.0.0.1:" + std::to_string(*port);
  cdr::testing::Child wrong(
      {"/usr/bin/python3", (ws_.dir() / "wrong.py").string(), std::to_string(*port), "t0ken"},
      ws_.dir() / "wrong.out", ws_.dir() / "wrong.err");
  ASSERT_TRUE(PollUntil([&] { return Listening(*port); }, std::chrono::seconds(30)));
  RunResult bad = ws_.Cdr({"provider", "test", url, "--token-file", "wrong-token", "--timeout", "2"});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_THAT(bad.out, HasSubstr("create_idempotent         FAIL"));
  EXPECT_THAT(bad.out, HasSubstr("made two resources, pcx-1 and pcx-2"));
  EXPECT_THAT(bad.out, HasSubstr("not_found_after_delete    FAIL"));
  EXPECT_THAT(bad.out, HasSubstr("GET after DELETE answered HTTP 200"));
  EXPECT_THAT(bad.out, HasSubstr("oversized_body_refused    FAIL"));
  EXPECT_THAT(bad.out, HasSubstr("bad_token_before_body     pass"));
  EXPECT_THAT(bad.out, HasSubstr("list_by_ids               FAIL"));
  EXPECT_THAT(bad.out, HasSubstr("4 of 8 rules failed"));
}

}  // namespace
}  // namespace cdr::e2e
