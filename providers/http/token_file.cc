#include "providers/http/token_file.h"

#include "common/secret_file.h"

namespace cdr::providers::http {

namespace fs = std::filesystem;

Result<std::string> ReadTokenFile(const fs::path& path) {
  std::error_code ec;
  const fs::perms perms = fs::status(path, ec).permissions();
  if (!ec && (perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none) {
    return FailedPrecondition("token file " + path.string() +
                              " may be read by others than its owner: chmod 600 " + path.string());
  }
  Result<std::string> token = ReadSecretFile(path);
  if (!token.ok())
    return Status(token.status().code(), "token file " + path.string() + ": " + token.status().message());
  while (!token->empty() && (token->back() == '\n' || token->back() == '\r' || token->back() == ' '))
    token->pop_back();
  if (token->empty())
    return FailedPrecondition("token file " + path.string() + " is empty: put the token in it");
  return token;
}

Result<std::string> LoadOrCreateTokenFile(const fs::path& path) {
  if (fs::exists(path)) return ReadTokenFile(path);
  return LoadOrCreateSecretFile(path);
}

}  // namespace cdr::providers::http
