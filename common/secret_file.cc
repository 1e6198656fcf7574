#include "common/secret_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/random_hex.h"

namespace cdr {

Status WriteSecretFile(const std::filesystem::path& path, const std::string& secret) {
  const std::string tmp = path.string() + ".tmp." + std::to_string(::getpid());
  // O_EXCL after unlinking a leftover: the mode given here applies only to a file this call creates.
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Internal(tmp + ": " + std::strerror(errno));
  const std::string text = secret + "\n";
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    done += static_cast<size_t>(n);
  }
  const int err = done == text.size() ? (::fsync(fd) == 0 ? 0 : errno) : errno;
  ::close(fd);
  if (err != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = err != 0 ? err : errno;
    ::unlink(tmp.c_str());
    return Internal(path.string() + ": " + std::strerror(e));
  }
  return Status::Ok();
}

Result<std::string> ReadSecretFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return NotFound(path.string() + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

Result<std::string> LoadOrCreateSecretFile(const std::filesystem::path& path) {
  constexpr int kSecretBytes = 32;
  auto secret = ReadSecretFile(path);
  if (secret.ok() && !secret->empty()) return secret;
  if (!secret.ok() && secret.status().code() != StatusCode::kNotFound) return secret.status();
  std::string fresh = RandomHex(kSecretBytes);
  CDR_RETURN_IF_ERROR(WriteSecretFile(path, fresh));
  return fresh;
}

}  // namespace cdr
