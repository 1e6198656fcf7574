// The provider protocol's bearer token on disk, for both ends: `cdr provider serve --token-file` and the
// spec's [provider] token_file. The file must be private (0600, as every cdr secret: common/secret_file.h): a
// token a group or others can read is refused, naming the chmod that fixes it.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"

namespace cdr::providers::http {

// The token (without its trailing newline); kNotFound when the file is absent, kFailedPrecondition when it is
// readable by others or empty.
Result<std::string> ReadTokenFile(const std::filesystem::path& path);

// The server's side: the token in `path`, or a fresh random one written there (0600) when there is none.
Result<std::string> LoadOrCreateTokenFile(const std::filesystem::path& path);

}  // namespace cdr::providers::http
