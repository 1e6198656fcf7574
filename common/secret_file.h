// Small secrets on disk (the agents' API tokens, the metrics and console tokens): readable by the owner only,
// from the first byte on, and never copied into a file anyone else may read.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"

namespace cdr {

// Writes `secret` with mode 0600 atomically (temp file created 0600, fsync, rename).
Status WriteSecretFile(const std::filesystem::path& path, const std::string& secret);

// The file's content without a trailing newline; kNotFound when absent.
Result<std::string> ReadSecretFile(const std::filesystem::path& path);

// The secret in `path`, or a fresh random one written there: a restarted daemon keeps its token, so whoever
// holds the old one still gets in.
Result<std::string> LoadOrCreateSecretFile(const std::filesystem::path& path);

}  // namespace cdr
