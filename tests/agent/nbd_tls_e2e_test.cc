// NBD_OPT_STARTTLS on the agent's export (cdr-agent --nbd-tls-dir): before TLS every option but STARTTLS and
// ABORT is refused with NBD_REP_ERR_TLS_REQD, after it the haggling and the data go through TLS; real libnbd
// clients (nbdcopy, nbdinfo with tls-certificates=DIR) write and read, and a client without a certificate of
// the estate's CA is refused.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "agent/internal/socket_io.h"
#include "agent/nbd_protocol.h"
#include "common/tls_stream.h"
#include "tests/support/process_test_util.h"
#include "tests/support/tls_test_certs.h"

namespace cdr::agent {
namespace {
namespace fs = std::filesystem;
using namespace cdr::testing;
using namespace cdr::agent::internal;

constexpr size_t kNbdTlsDiskBytes = 4 << 20;

std::string Sha256(const fs::path& path) {
  RunResult r = RunProgram({"sha256sum", path.string()});
  return r.exit_code == 0 ? r.out.substr(0, 64) : "unreadable: " + r.err;
}

class NbdTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = MakeTestCertificates(tmp_ / "pki");
    ASSERT_FALSE(HasFatalFailure());
    std::ofstream(tmp_ / "disk0.img").close();
    fs::resize_file(tmp_ / "disk0.img", kNbdTlsDiskBytes);
    agent_ = std::make_unique<AgentProcess>(
        tmp_.path(), tmp_ / "state", std::vector<std::string>{"disk0=" + (tmp_ / "disk0.img").string()},
        std::vector<std::string>{"--nbd-tls-dir", certs_.server.string()});
    ASSERT_TRUE(agent_->started()) << agent_->log();
  }

  std::string TlsUri(const fs::path& certificates) const {
    return "nbds://127.0.0.1:" + std::to_string(agent_->port()) + "/disk0?tls-certificates=" + certificates.string();
  }

  TempDir tmp_;
  TestCertificates certs_;
  std::unique_ptr<AgentProcess> agent_;
};

// One option and its reply type over `stream`; 0 when the reply did not come.
uint32_t Option(ByteStream& stream, nbd::Opt option, const std::vector<uint8_t>& data = {}) {
  std::vector<uint8_t> m(16 + data.size());
  PutU64(m.data(), nbd::kIHaveOpt);
  PutU32(m.data() + 8, static_cast<uint32_t>(option));
  PutU32(m.data() + 12, static_cast<uint32_t>(data.size()));
  std::copy(data.begin(), data.end(), m.begin() + 16);
  uint8_t reply[20];
  if (!WriteFull(stream, m.data(), m.size()) || !ReadFull(stream, reply, sizeof reply)) return 0;
  if (GetU64(reply) != nbd::kOptReplyMagic || GetU32(reply + 8) != static_cast<uint32_t>(option)) return 0;
  std::vector<uint8_t> payload(GetU32(reply + 16));
  if (!payload.empty() && !ReadFull(stream, payload.data(), payload.size())) return 0;
  return GetU32(reply + 12);
}

TEST_F(NbdTlsTest, OptionsBeforeStartTlsAreRefusedThenTheHagglingGoesOnInsideTls) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(agent_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::unique_ptr<ByteStream> stream = std::make_unique<PlainStream>(fd, /*owns=*/true);
  uint8_t greeting[18];
  ASSERT_TRUE(ReadFull(*stream, greeting, sizeof greeting));
  uint8_t flags[4];
  PutU32(flags, nbd::kClientFlagFixedNewstyle | nbd::kClientFlagNoZeroes);
  ASSERT_TRUE(WriteFull(*stream, flags, sizeof flags));

  EXPECT_EQ(Option(*stream, nbd::Opt::kList), nbd::kRepErrTlsReqd);
  EXPECT_EQ(Option(*stream, nbd::Opt::kStructuredReply), nbd::kRepErrTlsReqd);
  EXPECT_EQ(Option(*stream, nbd::Opt::kGo, {0, 0, 0, 0, 0, 0}), nbd::kRepErrTlsReqd);
  EXPECT_EQ(Option(*stream, nbd::Opt::kStartTls, {1}), nbd::kRepErrInvalid) << "STARTTLS carries no data";
  ASSERT_EQ(Option(*stream, nbd::Opt::kStartTls), nbd::kRepAck);

  TlsFiles files = TlsFilesIn(certs_.client, TlsRole::kClient);
  auto context = TlsContext::Load(files, TlsRole::kClient);
  ASSERT_TRUE(context.ok()) << context.status().ToString();
  auto tls = TlsHandshake(fd, /*owns=*/false, **context, "127.0.0.1",
                          std::chrono::steady_clock::now() + std::chrono::seconds(30));
  ASSERT_TRUE(tls.ok()) << tls.status().ToString();
  EXPECT_EQ(Option(**tls, nbd::Opt::kStartTls), nbd::kRepErrInvalid) << "TLS is already running";
  // NBD_OPT_LIST: one NBD_REP_SERVER for disk0, then the ACK.
  EXPECT_EQ(Option(**tls, nbd::Opt::kList), nbd::kRepServer);
  uint8_t ack[20];
  ASSERT_TRUE(ReadFull(**tls, ack, sizeof ack));
  EXPECT_EQ(GetU32(ack + 12), nbd::kRepAck);
  tls->reset();
}

TEST_F(NbdTlsTest, NbdcopyWritesAndReadsThroughTlsAndOtherClientsAreRefused) {
  WriteRandomFile(tmp_ / "in.img", kNbdTlsDiskBytes, 7);
  RunResult put = RunProgram({"nbdcopy", (tmp_ / "in.img").string(), TlsUri(certs_.client)});
  ASSERT_EQ(put.exit_code, 0) << put.err << agent_->log();
  RunResult get = RunProgram({"nbdcopy", TlsUri(certs_.client), (tmp_ / "out.img").string()});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(Sha256(tmp_ / "out.img"), Sha256(tmp_ / "in.img"));
  EXPECT_EQ(Sha256(tmp_ / "disk0.img"), Sha256(tmp_ / "in.img"));

  RunResult plain = RunProgram({"nbdinfo", "--size", agent_->uri("disk0")});
  EXPECT_NE(plain.exit_code, 0) << "a plain client was served: " << plain.out;
  RunResult rogue = RunProgram({"nbdinfo", "--size", TlsUri(certs_.rogue_client)});
  EXPECT_NE(rogue.exit_code, 0) << "a client certificate of another CA was accepted: " << rogue.out;
  RunResult anonymous = RunProgram({"nbdinfo", "--size", TlsUri(certs_.no_client_cert)});
  EXPECT_NE(anonymous.exit_code, 0) << "a client without a certificate was served: " << anonymous.out;
  // After the refusals the export still serves the estate's client.
  RunResult info = RunProgram({"nbdinfo", "--size", TlsUri(certs_.client)});
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(info.out, std::to_string(kNbdTlsDiskBytes) + "\n");
}

}  // namespace
}  // namespace cdr::agent
