// Revocation (common/tls_revocation.h) over a real TLS handshake on a socket pair: a certificate put on the
// CA's list is refused by a listener that loaded its context before, from the next handshake on; the others
// still get in; a second revocation in the same second is not hidden by the first list; an unreadable list
// refuses everyone.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "common/tls_identity.h"
#include "common/tls_issuer.h"
#include "common/tls_revocation.h"
#include "common/tls_stream.h"

namespace cdr {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class TlsRevocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cdr-tls-revocation-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    ASSERT_TRUE(CreateCertificateAuthority(dir_ / "ca", "test CA").ok());
    ASSERT_TRUE(IssueCertificate(dir_ / "ca", {"shadow", TlsRole::kServer, {}, {"127.0.0.1"}, {}}, dir_ / "shadow")
                    .ok());
    for (const char* host : {"web-1", "web-2", "web-3"}) {
      ASSERT_TRUE(
          IssueCertificate(dir_ / "ca", {host, TlsRole::kClient, {ServerIdentityUri(host)}, {}, {}}, dir_ / host)
              .ok());
    }
    auto server = TlsContext::Load(TlsFilesIn(dir_ / "shadow", TlsRole::kServer), TlsRole::kServer);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = *server;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // "ok", or why the listener refused `host`'s certificate.
  std::string Handshake(const std::string& host) {
    auto client = TlsContext::Load(TlsFilesIn(dir_ / host, TlsRole::kClient), TlsRole::kClient);
    if (!client.ok()) return client.status().ToString();
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return "socketpair failed";
    const Deadline deadline = std::chrono::steady_clock::now() + 20s;
    auto connecting = std::async(std::launch::async, [&] {
      return TlsHandshake(fds[1], /*owns=*/true, **client, "127.0.0.1", deadline).status();
    });
    Result<std::unique_ptr<TlsStream>> accepted = TlsHandshake(fds[0], /*owns=*/true, *server_, "", deadline);
    if (!accepted.ok()) ::shutdown(fds[0], SHUT_RDWR);
    connecting.wait();
    return accepted.ok() ? "ok" : accepted.status().message();
  }

  // Revokes `host`'s certificate and publishes the list where the listener looks (beside its CA copy).
  void Revoke(const std::string& host) {
    Result<int> added = RevokeCertificates(dir_ / "ca", {dir_ / host / "client-cert.pem"});
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    EXPECT_EQ(*added, 1);
    ASSERT_TRUE(CopyRevocationList(dir_ / "ca", dir_ / "shadow").ok());
  }

  fs::path dir_;
  std::shared_ptr<const TlsContext> server_;
};

TEST_F(TlsRevocationTest, ARevokedCertificateIsRefusedFromTheNextHandshakeOn) {
  EXPECT_EQ(Handshake("web-1"), "ok");
  Revoke("web-1");
  EXPECT_NE(Handshake("web-1").find("certificate revoked"), std::string::npos) << Handshake("web-1");
  EXPECT_EQ(Handshake("web-2"), "ok");
  // A second list made within the same second: the listener holds both and must take the newer one.
  Revoke("web-2");
  EXPECT_NE(Handshake("web-2").find("certificate revoked"), std::string::npos) << Handshake("web-2");
  EXPECT_NE(Handshake("web-1").find("certificate revoked"), std::string::npos);
  EXPECT_EQ(Handshake("web-3"), "ok");
  Result<int> again = RevokeCertificates(dir_ / "ca", {dir_ / "web-1" / "client-cert.pem"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0) << "already revoked";
}

TEST_F(TlsRevocationTest, AnUnreadableListRefusesEveryoneAndAForeignCertificateIsNotRevoked) {
  std::ofstream(dir_ / "shadow" / kCrlFileName) << "not a CRL\n";
  EXPECT_NE(Handshake("web-3").find("unable to get certificate CRL"), std::string::npos) << Handshake("web-3");
  ASSERT_TRUE(CreateCertificateAuthority(dir_ / "other-ca", "another CA").ok());
  ASSERT_TRUE(IssueCertificate(dir_ / "other-ca", {"x", TlsRole::kClient, {}, {}, {}}, dir_ / "x").ok());
  Result<int> foreign = RevokeCertificates(dir_ / "ca", {dir_ / "x" / "client-cert.pem"});
  EXPECT_EQ(foreign.status().code(), StatusCode::kFailedPrecondition) << foreign.status().ToString();
}

}  // namespace
}  // namespace cdr
