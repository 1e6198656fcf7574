// Finding and naming the records of resources made by Create calls (peerings, endpoints, shadow hosts).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "common/random_hex.h"
#include "common/status.h"

namespace cdr::providers::local::internal {

// Scans `dir` for the record made with `client_token`. Linear, but Create calls are rare and a DR setup has
// a handful of each resource; an index file would be one more thing to keep consistent. An empty token
// never matches: it opts out of idempotency.
template <typename Record>
Result<std::optional<Record>> FindByToken(
    const std::filesystem::path& dir, const std::string& client_token,
    const std::function<Result<Record>(const std::filesystem::path&)>& read) {
  if (client_token.empty()) return std::optional<Record>();
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return std::optional<Record>();
  for (const auto& entry : it) {
    if (entry.path().extension() != ".json") continue;
    auto record = read(entry.path());
    if (!record.ok()) {
      if (record.status().code() == StatusCode::kNotFound) continue;  // deleted while scanning
      return record.status();
    }
    if (record->client_token == client_token) return std::optional<Record>(std::move(*record));
  }
  return std::optional<Record>();
}

// A fresh id whose file does not exist yet; 32 random bits make a retry almost never necessary.
inline std::string NewId(const std::string& prefix,
                         const std::function<std::filesystem::path(const std::string&)>& file_of) {
  for (;;) {
    std::string id = prefix + RandomHex(4);
    std::error_code ec;
    if (!std::filesystem::exists(file_of(id), ec)) return id;
  }
}

}  // namespace cdr::providers::local::internal
