// Issue #13, finding 1, with the real cdr-agent and cdr-shadow over TLS: the agent replicates with its
// certificate; a peer without a certificate, with one from another CA, or with a valid one for another server
// cannot write the replica even with the disk's epoch (its sha256 stays the same, the agent stays realtime);
// an agent refuses a shadow host whose certificate another CA signed or that names another address, and says
// why in its status.
#include <gtest/gtest.h>

#include <vector>

#include "journal/format.h"
#include "agent/internal/shadow_connect.h"
#include "common/json_file.h"
#include "common/tls_identity.h"
#include "common/tls_issuer.h"
#include "common/wire_frame.h"
#include "tests/agent/agent_with_api.h"

namespace cdr::agent {
namespace {

using namespace cdr::agent::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using cdr::testing::kMiB;
constexpr uint64_t kTlsReplicationDiskBytes = 8 * kMiB;

std::string FileSha256(const fs::path& path) {
  RunResult r = RunProgram({"sha256sum", path.string()});
  return r.exit_code == 0 ? r.out.substr(0, 64) : "unreadable: " + r.err;
}

// The estate's CA and another one, with the certificates the tests hand out.
class TlsReplicationE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(CreateCertificateAuthority(tmp_ / "ca", "estate CA").ok());
    ASSERT_TRUE(CreateCertificateAuthority(tmp_ / "other-ca", "another CA").ok());
    Issue("ca", "shadow-tls", {"cdr-shadow", TlsRole::kServer, {}, {"127.0.0.1"}, {"localhost"}});
    Issue("ca", "web-1-tls", {"cdr-agent web-1", TlsRole::kClient, {ServerIdentityUri("web-1")}, {}, {}});
    // The agent's control API certificate beside its replication one, and cdr's own to call that API.
    Issue("ca", "web-1-tls", {"cdr-agent web-1 API", TlsRole::kServer, {}, {"127.0.0.1"}, {}});
    Issue("ca", "cdr-tls", {"cdr", TlsRole::kClient, {kOperatorIdentityUri}, {}, {}});
    Issue("ca", "web-2-tls", {"cdr-agent web-2", TlsRole::kClient, {ServerIdentityUri("web-2")}, {}, {}});
    Issue("other-ca", "rogue-tls",
          {"cdr-agent web-1", TlsRole::kClient, {ServerIdentityUri("web-1")}, {}, {}});
    Issue("other-ca", "rogue-shadow-tls", {"cdr-shadow", TlsRole::kServer, {}, {"127.0.0.1"}, {}});
    Issue("ca", "misnamed-shadow-tls", {"cdr-shadow", TlsRole::kServer, {}, {"10.9.9.9"}, {"elsewhere"}});
  }

  void Issue(const std::string& ca, const std::string& dir, const CertificateRequest& request) {
    ASSERT_TRUE(IssueCertificate(tmp_ / ca, request, tmp_ / dir).ok()) << dir;
  }

  // A client context with `dir`'s certificate that trusts the estate's CA (so only the shadow can say no).
  std::shared_ptr<const TlsContext> Client(const std::string& dir) {
    TlsFiles files = TlsFilesIn(tmp_ / dir, TlsRole::kClient);
    files.ca_cert = tmp_ / "ca" / "ca-cert.pem";
    auto context = TlsContext::Load(files, TlsRole::kClient);
    EXPECT_TRUE(context.ok()) << context.status().ToString();
    return context.ok() ? *context : nullptr;
  }

  TempDir tmp_;
};

// HELLO for web-1/vda with the right epoch and, once accepted, a DATA record and a heartbeat. Returns how it
// ended: the connection or handshake error, the HELLO refusal, or "accepted".
std::string TryToWrite(int port, const TlsContext* tls, uint64_t epoch) {
  Result<std::unique_ptr<ByteStream>> link =
      internal::ConnectToShadow("127.0.0.1", static_cast<uint16_t>(port), tls);
  if (!link.ok()) return link.status().ToString();
  ByteStream& stream = **link;
  wire::Hello hello{"web-1", "vda", kTlsReplicationDiskBytes, 4096, epoch, 0, 0};
  wire::Frame frame;
  Status s = stream.WriteAll(wire::EncodeFrame(wire::FrameType::kHello, 0, wire::EncodeHello(hello), false));
  if (s.ok()) s = wire::ReadFrame(stream, &frame);
  if (!s.ok()) return s.ToString();
  if (frame.type != wire::FrameType::kHelloAck)
    return std::string("answered ") + wire::FrameTypeName(frame.type);
  Result<wire::HelloAck> ack = wire::DecodeHelloAck(frame.payload);
  if (!ack.ok()) return ack.status().ToString();
  if (!ack->accepted) return "refused: " + ack->reason;
  const std::vector<uint8_t> data(4096, 0xEE);
  wire::DataRecord record{journal::RecordKind::kWrite,
                          0,
                          ack->applied_seq + 1,
                          journal::NowRecordTimeNs(),
                          0,
                          data.size(),
                          journal::DataChecksum(data.data(), data.size()),
                          data};
  (void)stream.WriteAll(
      wire::EncodeFrame(wire::FrameType::kData, record.seq, wire::EncodeDataRecord(record), false));
  (void)stream.WriteAll(wire::EncodeFrame(wire::FrameType::kHeartbeat, 0, wire::EncodeHeartbeat(1), false));
  (void)wire::ReadFrame(stream, &frame);
  return "accepted";
}

TEST_F(TlsReplicationE2eTest, ReplicatesOverTlsAndOnlyTheServersCertificateMayWriteItsReplica) {
  if (RunProgram({"sh", "-c", "command -v qemu-io"}).exit_code != 0)
    GTEST_SKIP() << "qemu-io is not installed";
  const fs::path disk = tmp_ / "vda.img";
  const fs::path replicas = tmp_ / "replicas";
  MakeDisk(disk, kTlsReplicationDiskBytes, 2 * kMiB, 3);
  ShadowWithReadyFile shadow(tmp_ / "shadow", replicas, 0, tmp_ / "shadow-tls");
  ASSERT_TRUE(shadow.started()) << shadow.log();
  AgentWithApi agent(
      tmp_ / "agent", tmp_ / "state", disk,
      {"--tls-dir", (tmp_ / "web-1-tls").string(), "--api-tls-dir", (tmp_ / "web-1-tls").string(), "--shadow",
       shadow.address(), "--server-id", "web-1"},
      tmp_ / "cdr-tls");
  ASSERT_TRUE(agent.started()) << agent.log();
  const fs::path replica = ReplicaImage(replicas, "web-1", "vda");
  auto caught_up = [&] { return agent.AllAcked() && CmpEqual(disk, replica); };
  ASSERT_TRUE(PollUntil(caught_up, 60s)) << agent.Status().dump() << agent.log() << shadow.log();
  RunResult w = RunProgram({"qemu-io", "-f", "raw", "-c", "write -P 0x5a 1M 64k", agent.nbd_uri()}, 30s);
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  ASSERT_TRUE(PollUntil(caught_up, 60s)) << agent.Status().dump() << agent.log();

  Result<nlohmann::json> epoch_file = ReadJsonFile(tmp_ / "state" / "vda" / "replication.json");
  ASSERT_TRUE(epoch_file.ok()) << epoch_file.status().ToString();
  const uint64_t epoch = (*epoch_file)["epoch"].get<uint64_t>();
  const std::string before = FileSha256(replica);

  const std::string plain = TryToWrite(shadow.port(), nullptr, epoch);
  EXPECT_EQ(plain.find("accepted"), std::string::npos) << plain;
  const std::string rogue = TryToWrite(shadow.port(), Client("rogue-tls").get(), epoch);
  EXPECT_EQ(rogue.find("accepted"), std::string::npos) << rogue;
  const std::string other_server = TryToWrite(shadow.port(), Client("web-2-tls").get(), epoch);
  EXPECT_EQ(other_server.rfind("refused: ", 0), 0u) << other_server;
  EXPECT_NE(other_server.find("does not grant web-1/vda"), std::string::npos) << other_server;
  EXPECT_EQ(other_server.find(std::to_string(epoch)), std::string::npos) << "a refusal echoes the epoch";
  const std::string log = shadow.log();
  EXPECT_NE(log.find("TLS handshake from a client failed"), std::string::npos) << log;

  EXPECT_EQ(FileSha256(replica), before);
  EXPECT_TRUE(agent.AllAcked()) << agent.Status().dump();
  w = RunProgram({"qemu-io", "-f", "raw", "-c", "write -P 0x6b 3M 4k", agent.nbd_uri()}, 30s);
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  EXPECT_TRUE(PollUntil(caught_up, 60s)) << agent.Status().dump() << agent.log();

  // A stop ends the TLS session while the shadow may still answer: neither side dies of the closed socket.
  const HttpReply stop = agent.Post("/v1/replication/stop");
  EXPECT_EQ(stop.code, 202) << stop.body.dump();
  EXPECT_TRUE(PollUntil([&] { return agent.StateIs("realtime_stopped"); }, 30s)) << agent.log();
  EXPECT_TRUE(agent.child().running());
  EXPECT_TRUE(shadow.child().running());
}

// Revocation (issue #13): the running shadow refuses the revoked agent certificate at its next handshake,
// while another certificate of the estate still gets as far as the HELLO.
TEST_F(TlsReplicationE2eTest, AShadowRefusesARevokedAgentCertificate) {
  ShadowWithReadyFile shadow(tmp_ / "shadow", tmp_ / "replicas", 0, tmp_ / "shadow-tls");
  ASSERT_TRUE(shadow.started()) << shadow.log();
  const std::string before = TryToWrite(shadow.port(), Client("web-2-tls").get(), 1);
  EXPECT_EQ(before.rfind("refused: ", 0), 0u) << before;
  Result<int> revoked = RevokeCertificates(tmp_ / "ca", {tmp_ / "web-2-tls" / "client-cert.pem"});
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  ASSERT_TRUE(CopyRevocationList(tmp_ / "ca", tmp_ / "shadow-tls").ok());
  const std::string after = TryToWrite(shadow.port(), Client("web-2-tls").get(), 1);
  EXPECT_EQ(after.find("refused: "), std::string::npos) << after;
  // The client sees the handshake fail before the shadow has logged why.
  EXPECT_TRUE(PollUntil([&] { return shadow.log().find("certificate revoked") != std::string::npos; }, 30s))
      << shadow.log();
  const std::string other = TryToWrite(shadow.port(), Client("web-1-tls").get(), 1);
  EXPECT_EQ(other.find("certificate"), std::string::npos) << other;
  EXPECT_FALSE(fs::exists(ReplicaImage(tmp_ / "replicas", "web-2", "vda")));
}

TEST_F(TlsReplicationE2eTest, AnAgentRefusesAShadowSignedByAnotherCaOrNamedForAnotherAddress) {
  const fs::path disk = tmp_ / "vda.img";
  MakeDisk(disk, kTlsReplicationDiskBytes, 0, 5);
  struct Case {
    std::string shadow_tls;
    std::string expected;
  };
  for (const Case& c :
       {Case{"rogue-shadow-tls", "certificate verify failed: self-signed certificate in certificate chain"},
        Case{"misnamed-shadow-tls", "certificate verify failed: IP address mismatch"}}) {
    SCOPED_TRACE(c.shadow_tls);
    const fs::path work = tmp_ / c.shadow_tls;
    ShadowWithReadyFile shadow(work / "shadow", work / "replicas", 0, tmp_ / c.shadow_tls);
    ASSERT_TRUE(shadow.started()) << shadow.log();
    AgentWithApi agent(
        work / "agent", work / "state", disk,
        {"--tls-dir", (tmp_ / "web-1-tls").string(), "--api-tls-dir", (tmp_ / "web-1-tls").string(), "--shadow",
         shadow.address(), "--server-id", "web-1"},
        tmp_ / "cdr-tls");
    ASSERT_TRUE(agent.started()) << agent.log();
    auto says_why = [&] {
      const nlohmann::json s = agent.Status();
      return s.is_object() && s["disks"].is_array() && !s["disks"].empty() &&
             s["disks"][0]["last_error"].is_string() &&
             s["disks"][0]["last_error"].get<std::string>().find(c.expected) != std::string::npos;
    };
    ASSERT_TRUE(PollUntil(says_why, 30s)) << agent.Status().dump() << agent.log();
    EXPECT_NE(agent.Status()["state"], "realtime");
    EXPECT_FALSE(fs::exists(ReplicaImage(work / "replicas", "web-1", "vda")));
  }
}

}  // namespace
}  // namespace cdr::agent
