// The control API over HTTPS (ControlApiOptions::tls): only a client whose certificate the estate's CA signed
// for cdr:operator gets an HTTP answer, and the bearer token is still checked; AgentClient and curl as clients.
#include <gtest/gtest.h>

#include "agent/api/agent_client.h"
#include "tests/agent_api/control_api_fixture.h"
#include "tests/support/process_test_util.h"
#include "tests/support/tls_test_certs.h"

namespace cdr::agent::api::testing {
namespace {

namespace fs = std::filesystem;

class ControlApiTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = cdr::testing::MakeTestCertificates(tmp_ / "pki");
    ASSERT_FALSE(HasFatalFailure());
    auto tls = TlsContext::Load(TlsFilesIn(certs_.server, TlsRole::kServer), TlsRole::kServer);
    ASSERT_TRUE(tls.ok()) << tls.status().ToString();
    api_ = std::make_unique<ControlApi>(ControlApiOptions{"127.0.0.1", 0, kToken, *tls}, &control_);
    Status started = api_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  void TearDown() override {
    if (api_) api_->Stop();
  }

  Result<AgentStatus> StatusWith(const fs::path& certificates) {
    return AgentClient(api_->address(), kToken, certificates).GetStatus();
  }
  // curl with the client certificate of `dir` (if it has one), trusting the estate's CA.
  CurlReply CurlWith(const fs::path& dir, const std::string& token = kToken) {
    std::vector<std::string> args = {"--cacert", (tmp_ / "pki" / "ca" / "ca-cert.pem").string(), "-H",
                                     "Authorization: Bearer " + token};
    if (fs::exists(dir / "client-cert.pem")) {
      args.insert(args.end(), {"--cert", (dir / "client-cert.pem").string(), "--key",
                               (dir / "client-key.pem").string()});
    }
    return CurlUrl("https://" + api_->address() + "/v1/status", args);
  }

  cdr::testing::TempDir tmp_;
  cdr::testing::TestCertificates certs_;
  FakeReplicationControl control_;
  std::unique_ptr<ControlApi> api_;
};

TEST_F(ControlApiTlsTest, TheOperatorCertificateIsServedAndEveryOtherClientIsRefused) {
  Result<AgentStatus> status = StatusWith(certs_.client);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->server_id, FakeReplicationControl::SampleStatus().server_id);

  for (const fs::path& refused : {certs_.agent_client, certs_.rogue_client, certs_.foreign_client}) {
    Result<AgentStatus> other = StatusWith(refused);
    EXPECT_EQ(other.status().code(), StatusCode::kUnavailable) << refused << ": " << other.status().ToString();
  }
  Result<AgentStatus> plain = AgentClient(api_->address(), kToken).GetStatus();
  EXPECT_FALSE(plain.ok()) << "plain HTTP was served";
  Result<AgentStatus> missing = StatusWith(tmp_ / "nowhere");
  EXPECT_EQ(missing.status().code(), StatusCode::kFailedPrecondition) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("cdr's client certificate"), std::string::npos);
  // The refused clients reached nothing; the operator still gets in afterwards.
  EXPECT_TRUE(StatusWith(certs_.client).ok());
}

TEST_F(ControlApiTlsTest, CurlNeedsTheOperatorCertificateAndStillTheToken) {
  CurlReply ok = CurlWith(certs_.client);
  EXPECT_EQ(ok.status, 200) << ok.error;
  EXPECT_EQ(CurlWith(certs_.client, "wrong-token").status, 401);
  for (const fs::path& refused : {certs_.no_client_cert, certs_.agent_client, certs_.rogue_client}) {
    CurlReply reply = CurlWith(refused);
    EXPECT_EQ(reply.status, 0) << refused << " got an HTTP answer";
  }
  EXPECT_EQ(Curl(api_->address(), "/v1/status", {"-H", std::string("Authorization: Bearer ") + kToken}).status,
            0)
      << "plain HTTP got an answer";
}

}  // namespace
}  // namespace cdr::agent::api::testing
