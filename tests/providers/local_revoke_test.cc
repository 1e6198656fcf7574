// `cdr local revoke ID` (LocalProvider::RevokeCertificates): the certificates host ID's agent holds now go on the
// CA's revocation list, which is copied beside every copy of the CA certificate under ROOT; an id with no
// certificate, or one that is not an id, is refused.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <filesystem>

#include "providers/local/internal/host_certificates.h"
#include "providers/local/internal/layout.h"
#include "tests/providers/temp_cloud.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;

class LocalRevokeTest : public test_util::LocalCloudTest {};

// How many certificates the CRL in `file` lists; -1 when there is none.
int RevokedCount(const fs::path& file) {
  FILE* f = std::fopen(file.c_str(), "r");
  if (f == nullptr) return -1;
  X509_CRL* crl = PEM_read_X509_CRL(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  const int n = crl ? sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) : -1;
  X509_CRL_free(crl);
  return n;
}

TEST_F(LocalRevokeTest, RevokesTheHostsCertificatesAndPublishesTheListEverywhere) {
  ASSERT_NE(InitAndOpen(2), nullptr);
  for (const char* host : {"host-1", "host-2"}) {
    auto args = internal::AgentTransportArgs(root_, host, internal::AgentTlsDir(root_, host), false);
    ASSERT_TRUE(args.ok()) << args.status().ToString();
  }
  auto revoked = LocalProvider::RevokeCertificates(root_, "host-1");
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  EXPECT_EQ(revoked->size(), 2u) << "the replication and the control API certificate";
  EXPECT_EQ(RevokedCount(root_ / "pki" / "ca-crl.pem"), 2);
  for (const fs::path& dir : {internal::AgentTlsDir(root_, "host-1"), internal::AgentTlsDir(root_, "host-2"),
                              root_ / "pki" / "cdr"}) {
    EXPECT_EQ(RevokedCount(dir / "ca-crl.pem"), 2) << dir;
  }
  // A certificate issued afterwards carries the list.
  ASSERT_TRUE(internal::ShadowTransportArgs(root_, "shadow-x", root_ / "s-tls", false).ok());
  EXPECT_EQ(RevokedCount(root_ / "s-tls" / "ca-crl.pem"), 2);

  EXPECT_EQ(LocalProvider::RevokeCertificates(root_, "host-9").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(LocalProvider::RevokeCertificates(root_, "../pki").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cdr::providers::local
