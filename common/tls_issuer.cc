#include "common/tls_issuer.h"

#include <openssl/x509.h>

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>

#include "common/tls_revocation.h"

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
using CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>>;

std::string CaCert(const fs::path& dir) { return (dir / "ca-cert.pem").string(); }
std::string CaKey(const fs::path& dir) { return (dir / "ca-key.pem").string(); }
std::string CaCrl(const fs::path& dir) { return (dir / kCrlFileName).string(); }

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

Status CopyFileAtomically(const fs::path& from, const fs::path& to) {
  std::ifstream in(from, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) return Internal("read " + from.string() + " failed");
  return WriteFileAtomically(to, bytes, 0644);
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
  CDR_RETURN_IF_ERROR(WriteCert(files.ca_cert, ca_cert.get()));
  // The revocations travel with the CA certificate: a listener checks them beside it.
  return CopyRevocationList(ca_dir, out_dir);
}

Status CopyRevocationList(const fs::path& ca_dir, const fs::path& dir) {
  std::error_code ec;
  return fs::exists(CaCrl(ca_dir), ec) ? CopyFileAtomically(CaCrl(ca_dir), dir / kCrlFileName) : Status::Ok();
}

namespace {

// The CRL in ca_dir, or a new empty one for `ca`.
Result<CrlPtr> CurrentCrl(const fs::path& ca_dir, X509* ca) {
  std::error_code ec;
  if (fs::exists(CaCrl(ca_dir), ec)) {
    CrlPtr crl(ReadPem<X509_CRL, PEM_read_bio_X509_CRL>(CaCrl(ca_dir)));
    if (!crl) return FailedPrecondition(CaCrl(ca_dir) + " is unreadable: " + TakeOpenSslErrors("not a CRL"));
    return crl;
  }
  CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), 1) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca)) != 1) {
    return Internal(TakeOpenSslErrors("a CRL could not be made"));
  }
  return crl;
}

bool IsRevoked(X509_CRL* crl, const ASN1_INTEGER* serial) {
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl);
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    if (ASN1_INTEGER_cmp(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i)), serial) == 0)
      return true;
  }
  return false;
}

// lastUpdate a minute back (as certificates' notBefore, for clocks a little behind), and after the previous
// one: a verifier holding both lists takes the one updated last.
bool SetUpdateTimes(X509_CRL* crl) {
  time_t when = std::time(nullptr) - 60;
  if (const ASN1_TIME* previous = X509_CRL_get0_lastUpdate(crl)) {
    struct tm tm {};
    if (ASN1_TIME_to_tm(previous, &tm) == 1) when = std::max(when, timegm(&tm) + 1);
  }
  ASN1_TIME* last = ASN1_TIME_set(nullptr, when);
  ASN1_TIME* next = X509_time_adj_ex(nullptr, 3650, 0, &when);
  const bool ok = last != nullptr && next != nullptr && X509_CRL_set1_lastUpdate(crl, last) == 1 &&
                  X509_CRL_set1_nextUpdate(crl, next) == 1;
  ASN1_TIME_free(last);
  ASN1_TIME_free(next);
  return ok;
}

}  // namespace

Result<int> RevokeCertificates(const fs::path& ca_dir, const std::vector<fs::path>& certificates) {
  CertPtr ca_cert(ReadPem<X509, PEM_read_bio_X509>(CaCert(ca_dir)));
  KeyPtr ca_key(ReadPem<EVP_PKEY, PEM_read_bio_PrivateKey>(CaKey(ca_dir)));
  if (!ca_cert || !ca_key) {
    return FailedPrecondition("no CA in " + ca_dir.string() + " (" + TakeOpenSslErrors("unreadable") + ")");
  }
  Result<CrlPtr> crl = CurrentCrl(ca_dir, ca_cert.get());
  if (!crl.ok()) return crl.status();
  int added = 0;
  for (const fs::path& path : certificates) {
    CertPtr cert(ReadPem<X509, PEM_read_bio_X509>(path.string()));
    if (!cert) return FailedPrecondition("no certificate in " + path.string());
    if (X509_verify(cert.get(), X509_get0_pubkey(ca_cert.get())) != 1) {
      ERR_clear_error();
      return FailedPrecondition(path.string() + " was not signed by the CA in " + ca_dir.string());
    }
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
    if (IsRevoked(crl->get(), serial)) continue;
    X509_REVOKED* entry = X509_REVOKED_new();
    ASN1_TIME* now = ASN1_TIME_set(nullptr, std::time(nullptr));
    const bool ok = entry != nullptr && now != nullptr && X509_REVOKED_set_serialNumber(entry, const_cast<ASN1_INTEGER*>(serial)) == 1 &&
                    X509_REVOKED_set_revocationDate(entry, now) == 1 && X509_CRL_add0_revoked(crl->get(), entry) == 1;
    ASN1_TIME_free(now);
    if (!ok) {
      X509_REVOKED_free(entry);
      return Internal(TakeOpenSslErrors("revoking " + path.string() + " failed"));
    }
    ++added;
  }
  if (!SetUpdateTimes(crl->get()) || X509_CRL_sort(crl->get()) != 1 ||
      X509_CRL_sign(crl->get(), ca_key.get(), EVP_sha256()) <= 0) {
    return Internal(TakeOpenSslErrors("the CRL could not be signed"));
  }
  Result<std::string> pem = Pem([&](BIO* bio) { return PEM_write_bio_X509_CRL(bio, crl->get()); });
  if (!pem.ok()) return pem.status();
  CDR_RETURN_IF_ERROR(WriteFileAtomically(CaCrl(ca_dir), *pem, 0644));
  return added;
}

}  // namespace cdr
