#include "agent/api/bearer_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

#include "agent/api/control_api.h"

namespace cdr::agent::api {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The credentials after `scheme` (lower case; matched case-insensitively, RFC 7235); nullopt for another scheme.
std::optional<std::string_view> Credentials(std::string_view authorization, std::string_view scheme) {
  authorization = Trim(authorization);
  if (authorization.size() <= scheme.size() || !IsSpace(authorization[scheme.size()])) return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) return std::nullopt;
  }
  return Trim(authorization.substr(scheme.size()));
}

// The value of `name` among `separator`-separated name=value pairs; nullopt when absent.
std::optional<std::string_view> PairValue(std::string_view pairs, char separator, std::string_view name) {
  while (!pairs.empty()) {
    const size_t end = pairs.find(separator);
    std::string_view pair = Trim(pairs.substr(0, end));
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
    if (end == std::string_view::npos) break;
    pairs.remove_prefix(end + 1);
  }
  return std::nullopt;
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Comparing fixed-size digests hides the length as well as the position of the first difference.
  unsigned char da[SHA256_DIGEST_LENGTH];
  unsigned char db[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(a.data()), a.size(), da);
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), b.size(), db);
  return CRYPTO_memcmp(da, db, sizeof da) == 0;
}

bool BearerTokenMatches(std::string_view authorization, std::string_view token) {
  std::optional<std::string_view> credentials = Credentials(authorization, "bearer");
  return !token.empty() && credentials && ConstantTimeEquals(*credentials, token);
}

bool BasicPasswordMatches(std::string_view authorization, std::string_view password) {
  constexpr size_t kMaxEncoded = 4096;  // the headers are bounded anyway; this bounds the decode buffer
  std::optional<std::string_view> encoded = Credentials(authorization, "basic");
  if (password.empty() || !encoded || encoded->empty() || encoded->size() % 4 != 0 ||
      encoded->size() > kMaxEncoded) {
    return false;
  }
  std::string decoded(encoded->size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                reinterpret_cast<const unsigned char*>(encoded->data()),
                                static_cast<int>(encoded->size()));
  if (n < 0) return false;
  const size_t padding = encoded->size() - encoded->find_last_not_of('=') - 1;
  if (padding > 2) return false;
  decoded.resize(static_cast<size_t>(n) - padding);
  const size_t colon = decoded.find(':');
  return colon != std::string::npos && ConstantTimeEquals(std::string_view(decoded).substr(colon + 1), password);
}

bool QueryOrCookieTokenMatches(std::string_view query, std::string_view cookie, std::string_view token) {
  if (token.empty()) return false;
  std::optional<std::string_view> in_query = PairValue(query, '&', "token");
  std::optional<std::string_view> in_cookie = PairValue(cookie, ';', kTokenCookie);
  return (in_query && ConstantTimeEquals(*in_query, token)) || (in_cookie && ConstantTimeEquals(*in_cookie, token));
}

bool QueryHasToken(std::string_view query) { return PairValue(query, '&', "token").has_value(); }

Result<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("token file " + path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && IsSpace(token.back())) token.pop_back();
  if (token.empty()) return InvalidArgument("token file " + path + ": is empty");
  return token;
}

void PrepareTokenChecks() { OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, nullptr); }

}  // namespace cdr::agent::api
