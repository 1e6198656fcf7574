// The estate's certificates as common/tls_issuer.h makes them and common/tls_context.h loads them: keys 0600,
// a readable key refused, names in the subjectAltName, and what an identity URI grants.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "common/tls_context.h"
#include "common/tls_identity.h"
#include "common/tls_issuer.h"

namespace cdr {
namespace {

namespace fs = std::filesystem;

class TlsFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cdr-tls-files-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

unsigned Mode(const fs::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 0777 : 0;
}

std::vector<std::string> UrisOf(const fs::path& cert_file) {
  FILE* f = std::fopen(cert_file.c_str(), "r");
  if (f == nullptr) return {};
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  std::vector<std::string> uris = cert ? CertificateUris(cert) : std::vector<std::string>{};
  X509_free(cert);
  return uris;
}

TEST_F(TlsFilesTest, IssuedKeysArePrivateAndTheContextsLoad) {
  ASSERT_TRUE(CreateCertificateAuthority(dir_ / "ca", "test CA").ok());
  EXPECT_EQ(Mode(dir_ / "ca" / "ca-key.pem"), 0600u);
  EXPECT_EQ(CreateCertificateAuthority(dir_ / "ca", "again").code(), StatusCode::kAlreadyExists);
  CertificateRequest agent{
      "agent", TlsRole::kClient, {ServerIdentityUri("web-1"), DiskIdentityUri("db-1", "vdb")}};
  ASSERT_TRUE(IssueCertificate(dir_ / "ca", agent, dir_ / "agent").ok());
  const TlsFiles files = TlsFilesIn(dir_ / "agent", TlsRole::kClient);
  EXPECT_EQ(Mode(files.key), 0600u);
  EXPECT_EQ(UrisOf(files.cert), (std::vector<std::string>{"cdr:server/web-1", "cdr:server/db-1/disk/vdb"}));
  auto loaded = TlsContext::Load(files, TlsRole::kClient);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();

  ::chmod(files.key.c_str(), 0644);
  auto readable = TlsContext::Load(files, TlsRole::kClient);
  EXPECT_EQ(readable.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(readable.status().message().find("chmod 600"), std::string::npos) << readable.status().ToString();
  auto missing = TlsContext::Load(TlsFilesIn(dir_ / "nowhere", TlsRole::kServer), TlsRole::kServer);
  EXPECT_EQ(missing.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(TlsFilesTest, AnIdentityGrantsItsServerOrItsOneDiskOnly) {
  const std::vector<std::string> uris = {ServerIdentityUri("web-1"), DiskIdentityUri("db-1", "vdb")};
  EXPECT_TRUE(IdentityGrants(uris, "web-1", "vda"));
  EXPECT_TRUE(IdentityGrants(uris, "web-1", "vdb"));
  EXPECT_TRUE(IdentityGrants(uris, "db-1", "vdb"));
  EXPECT_FALSE(IdentityGrants(uris, "db-1", "vda"));
  EXPECT_FALSE(IdentityGrants(uris, "web-10", "vda"));
  EXPECT_FALSE(IdentityGrants(uris, "web", "vda"));
  EXPECT_FALSE(IdentityGrants({}, "web-1", "vda"));
}

}  // namespace
}  // namespace cdr
