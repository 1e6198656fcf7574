#include "common/tls_issuer.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace cdr {
namespace {

namespace fs = std::filesystem;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

std::string CaCert(const fs::path& dir) { return (dir / "ca-cert.pem").string(); }
std::string CaKey(const fs::path& dir) { return (dir / "ca-key.pem").string(); }

// Written to a temp file created with `mode`, then renamed: a reader never sees half a file, and a key is
// never readable by others, not even for a moment.
Status WriteFileAtomically(const fs::path& path, const std::string& bytes, mode_t mode) {
  const fs::path tmp = path.string() + ".tmp";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Internal("create " + tmp.string() + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, mode) == 0 &&
            ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Internal("write " + path.string() + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

template <typename Write>
Result<std::string> Pem(Write write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return Internal(TakeOpenSslErrors("PEM encoding failed"));
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Status WriteKey(const fs::path& path, EVP_PKEY* key) {
  Result<std::string> pem = Pem(
      [&](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr); });
  return pem.ok() ? WriteFileAtomically(path, *pem, 0600) : pem.status();
}

Status WriteCert(const fs::path& path, X509* cert) {
  Result<std::string> pem = Pem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert); });
  return pem.ok() ? WriteFileAtomically(path, *pem, 0644) : pem.status();
}

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  const bool ok = ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// Names are added as values, never parsed from a "URI:…,IP:…" string, so no name can smuggle in another.
bool AddSubjectAltNames(X509* cert, const CertificateRequest& request) {
  GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
  bool ok = names != nullptr;
  auto add_string = [&](int type, const std::string& value) {
    GENERAL_NAME* name = GENERAL_NAME_new();
    ASN1_IA5STRING* text = ASN1_IA5STRING_new();
    if (name == nullptr || text == nullptr ||
        ASN1_STRING_set(text, value.data(), static_cast<int>(value.size())) != 1) {
      GENERAL_NAME_free(name);
      ASN1_IA5STRING_free(text);
      ok = false;
      return;
    }
    GENERAL_NAME_set0_value(name, type, text);
    sk_GENERAL_NAME_push(names, name);
  };
  for (const std::string& uri : request.uris) add_string(GEN_URI, uri);
  for (const std::string& dns : request.dns_names) add_string(GEN_DNS, dns);
  for (const std::string& ip : request.ip_addresses) {
    ASN1_OCTET_STRING* octets = a2i_IPADDRESS(ip.c_str());
    GENERAL_NAME* name = octets ? GENERAL_NAME_new() : nullptr;
    if (name == nullptr) {
      ASN1_OCTET_STRING_free(octets);
      ok = false;
      continue;
    }
    GENERAL_NAME_set0_value(name, GEN_IPADD, octets);
    sk_GENERAL_NAME_push(names, name);
  }
  ok = ok && X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1;
  GENERAL_NAMES_free(names);
  return ok;
}

// A certificate for `key` with a random serial, valid from a minute ago; the issuer fields come later.
CertPtr NewCertificate(EVP_PKEY* key, const std::string& common_name, int valid_days) {
  CertPtr cert(X509_new());
  unsigned char serial[16];
  if (!cert || RAND_bytes(serial, sizeof serial) != 1) return nullptr;
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  const bool ok =
      bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr &&
      X509_set_version(cert.get(), 2) == 1 && X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) &&
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), int64_t{valid_days} * 86400) &&
      X509_set_pubkey(cert.get(), key) == 1 &&
      X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1;
  BN_free(bn);
  return ok ? std::move(cert) : nullptr;
}

template <typename T, T* (*Read)(BIO*, T**, pem_password_cb*, void*)>
T* ReadPem(const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  return bio ? Read(bio.get(), nullptr, nullptr, nullptr) : nullptr;
}

}  // namespace

Status CreateCertificateAuthority(const fs::path& ca_dir, const std::string& name) {
  std::error_code ec;
  if (fs::exists(CaKey(ca_dir), ec)) return AlreadyExists("a CA exists in " + ca_dir.string());
  fs::create_directories(ca_dir, ec);
  if (ec) return Internal(ca_dir.string() + ": " + ec.message());
  ::chmod(ca_dir.c_str(), 0700);
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Internal(TakeOpenSslErrors("EC key generation failed"));
  CertPtr cert = NewCertificate(key.get(), name, 3650);
  const bool ok = cert && X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) == 1 &&
                  AddExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
                  AddExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") &&
                  AddExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash") &&
                  X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) return Internal(TakeOpenSslErrors("CA certificate could not be made"));
  CDR_RETURN_IF_ERROR(WriteKey(CaKey(ca_dir), key.get()));
  return WriteCert(CaCert(ca_dir), cert.get());
}

Status IssueCertificate(const fs::path& ca_dir, const CertificateRequest& request, const fs::path& out_dir) {
  CertPtr ca_cert(ReadPem<X509, PEM_read_bio_X509>(CaCert(ca_dir)));
  KeyPtr ca_key(ReadPem<EVP_PKEY, PEM_read_bio_PrivateKey>(CaKey(ca_dir)));
  if (!ca_cert || !ca_key) {
    return FailedPrecondition("no CA in " + ca_dir.string() + " (" + TakeOpenSslErrors("unreadable") + ")");
  }
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Internal(TakeOpenSslErrors("EC key generation failed"));
  const bool server = request.role == TlsRole::kServer;
  CertPtr cert = NewCertificate(key.get(), request.common_name, request.valid_days);
  const bool ok =
      cert && X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())) == 1 &&
      AddExtension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE") &&
      AddExtension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature") &&
      AddExtension(cert.get(), ca_cert.get(), NID_ext_key_usage, server ? "serverAuth" : "clientAuth") &&
      AddExtension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always") &&
      AddSubjectAltNames(cert.get(), request) && X509_sign(cert.get(), ca_key.get(), EVP_sha256()) > 0;
  if (!ok)
    return Internal(TakeOpenSslErrors("certificate for " + request.common_name + " could not be made"));
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Internal(out_dir.string() + ": " + ec.message());
  const TlsFiles files = TlsFilesIn(out_dir, request.role);
  CDR_RETURN_IF_ERROR(WriteKey(files.key, key.get()));
  CDR_RETURN_IF_ERROR(WriteCert(files.cert, cert.get()));
  return WriteCert(files.ca_cert, ca_cert.get());
}

}  // namespace cdr
