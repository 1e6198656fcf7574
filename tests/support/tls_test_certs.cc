#include "tests/support/tls_test_certs.h"

#include <gtest/gtest.h>

#include "common/tls_identity.h"

namespace cdr::testing {

namespace fs = std::filesystem;

TestCertificates MakeTestCertificates(const fs::path& dir) {
  TestCertificates certs{dir / "server",         dir / "client",         dir / "agent-client",
                         dir / "rogue-client",   dir / "foreign-client", dir / "no-client-cert"};
  EXPECT_TRUE(CreateCertificateAuthority(dir / "ca", "estate CA").ok());
  EXPECT_TRUE(CreateCertificateAuthority(dir / "other-ca", "another CA").ok());
  EXPECT_TRUE(IssueCertificate(dir / "ca", {"nbd server", TlsRole::kServer, {}, {"127.0.0.1"}, {"localhost"}},
                               certs.server)
                  .ok());
  const CertificateRequest operator_request{"cdr", TlsRole::kClient, {kOperatorIdentityUri}, {}, {}};
  EXPECT_TRUE(IssueCertificate(dir / "ca", operator_request, certs.client).ok());
  EXPECT_TRUE(IssueCertificate(dir / "ca", {"cdr-agent web-1", TlsRole::kClient, {ServerIdentityUri("web-1")}, {}, {}},
                               certs.agent_client)
                  .ok());
  EXPECT_TRUE(IssueCertificate(dir / "other-ca", operator_request, certs.rogue_client).ok());
  EXPECT_TRUE(IssueCertificate(dir / "other-ca", operator_request, certs.foreign_client).ok());
  fs::create_directories(certs.no_client_cert);
  for (const fs::path& trusting : {certs.rogue_client, certs.no_client_cert}) {
    fs::copy_file(dir / "ca" / "ca-cert.pem", trusting / "ca-cert.pem", fs::copy_options::overwrite_existing);
  }
  return certs;
}

}  // namespace cdr::testing
