#include "common/json_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cdr {

Result<nlohmann::json> ReadJsonFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return NotFound(path.string() + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return DataLoss(path.string() + ": not valid JSON");
  return parsed;
}

Status WriteJsonFileAtomically(const std::filesystem::path& path, const nlohmann::json& value) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return Internal(path.parent_path().string() + ": " + ec.message());
  const std::string tmp = path.string() + ".tmp." + std::to_string(::getpid());
  const std::string text = value.dump(2) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Internal(tmp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Internal(tmp + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Internal(tmp + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Internal(path.string() + ": " + std::strerror(err));
  }
  return Status::Ok();
}

}  // namespace cdr
