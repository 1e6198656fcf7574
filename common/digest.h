// SHA-256 digests, used for the spec digest a saved plan is checked against.
#pragma once

#include <string>
#include <string_view>

namespace cdr {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // Lowercase hex of the digest; the object must not be updated afterwards.
  std::string HexDigest();

 private:
  void* ctx_;  // EVP_MD_CTX, kept opaque so OpenSSL headers stay out of includers
};

std::string Sha256Hex(std::string_view bytes);

}  // namespace cdr
