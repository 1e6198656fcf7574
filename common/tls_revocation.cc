#include "common/tls_revocation.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <mutex>
#include <string>

namespace cdr {
namespace {

// What one certificate store knows of its CRL file.
struct CrlWatch {
  std::filesystem::path file;
  std::mutex mutex;
  struct stat seen {};  // of the file last loaded
  bool loaded = false;
};

void FreeWatch(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<CrlWatch*>(ptr); }

int WatchIndex() {
  static const int index = X509_STORE_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeWatch);
  return index;
}

bool SameFile(const struct stat& a, const struct stat& b) {
  return a.st_ino == b.st_ino && a.st_dev == b.st_dev && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

// Adds the CRLs of the file to the store when it changed. false: the file is there but unusable.
bool Refresh(CrlWatch* watch, X509_STORE* store) {
  std::lock_guard lock(watch->mutex);
  struct stat now {};
  if (::stat(watch->file.c_str(), &now) != 0) return true;  // none (yet), or gone: what was loaded stays
  if (watch->loaded && SameFile(now, watch->seen)) return true;
  BIO* bio = BIO_new_file(watch->file.c_str(), "r");
  int added = 0;
  while (bio != nullptr) {
    X509_CRL* crl = PEM_read_bio_X509_CRL(bio, nullptr, nullptr, nullptr);
    if (crl == nullptr) break;
    // An older list of the same CA stays in the store: verification takes the one updated last.
    if (X509_STORE_add_crl(store, crl) == 1) ++added;
    X509_CRL_free(crl);
  }
  BIO_free(bio);
  ERR_clear_error();
  if (added == 0) {
    spdlog::error("TLS: {} holds no revocation list: refusing peers until it does", watch->file.string());
    return false;
  }
  watch->seen = now;
  watch->loaded = true;
  return true;
}

int VerifyWithRevocations(X509_STORE_CTX* ctx, void*) {
  X509_STORE* store = X509_STORE_CTX_get0_store(ctx);
  auto* watch = static_cast<CrlWatch*>(X509_STORE_get_ex_data(store, WatchIndex()));
  if (watch != nullptr) {
    if (!Refresh(watch, store)) {
      X509_STORE_CTX_set_error(ctx, X509_V_ERR_UNABLE_TO_GET_CRL);
      return 0;
    }
    std::lock_guard lock(watch->mutex);
    if (watch->loaded) X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_CRL_CHECK);
  }
  return X509_verify_cert(ctx);
}

}  // namespace

void CheckRevocations(SSL_CTX* ctx, const std::filesystem::path& crl_file) {
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  if (X509_STORE_get_ex_data(store, WatchIndex()) == nullptr) {
    auto* watch = new CrlWatch;
    watch->file = crl_file;
    X509_STORE_set_ex_data(store, WatchIndex(), watch);
  }
  SSL_CTX_set_cert_verify_callback(ctx, VerifyWithRevocations, nullptr);
}

}  // namespace cdr
