#include "providers/http/internal/raw_request.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <span>
#include <vector>

#include "common/byte_stream.h"
#include "common/tls_stream.h"

namespace cdr::providers::http::internal {
namespace {

Result<int> Connect(const RawTarget& target) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(target.host.c_str(), std::to_string(target.port).c_str(), &hints, &found); rc != 0)
    return Unavailable("cannot resolve " + target.host + ": " + gai_strerror(rc));
  int fd = -1;
  std::string error = "no address";
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      error = std::strerror(errno);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0)
    return Unavailable("cannot connect to " + target.host + ":" + std::to_string(target.port) + ": " + error);
  return fd;
}

}  // namespace

Result<HeadReply> StatusForHead(const RawTarget& target, const std::string& head, uint64_t body_budget,
                                std::chrono::steady_clock::time_point deadline) {
  Result<int> fd = Connect(target);
  if (!fd.ok()) return fd.status();
  std::unique_ptr<ByteStream> stream;
  if (target.tls) {
    auto tls = TlsHandshake(*fd, /*owns=*/true, *target.tls, target.host, deadline);
    if (!tls.ok()) return tls.status();
    stream = std::move(*tls);
  } else {
    stream = std::make_unique<PlainStream>(*fd, /*owns=*/true);
  }
  CDR_RETURN_IF_ERROR(
      stream->WriteAll(std::span(reinterpret_cast<const uint8_t*>(head.data()), head.size())));
  constexpr size_t kPiece = 16 << 10;
  constexpr int kPauseMs = 20;
  const std::vector<uint8_t> piece(kPiece, ' ');
  HeadReply reply;
  pollfd p{*fd, POLLIN, 0};
  while (reply.body_bytes_sent < body_budget && !stream->InputWaiting() && poll(&p, 1, kPauseMs) == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    const size_t n = std::min<uint64_t>(kPiece, body_budget - reply.body_bytes_sent);
    if (!stream->WriteAll(std::span(piece.data(), n)).ok()) break;  // closed: the reply may be waiting
    reply.body_bytes_sent += n;
  }
  std::string line;
  constexpr size_t kMaxStatusLine = 256;
  while (line.size() < kMaxStatusLine && (line.empty() || line.back() != '\n')) {
    uint8_t c = 0;
    CDR_RETURN_IF_ERROR(stream->ReadAll(&c, 1, deadline));
    line.push_back(static_cast<char>(c));
  }
  // "HTTP/1.1 401 Unauthorized"
  const size_t space = line.find(' ');
  if (line.rfind("HTTP/", 0) != 0 || space == std::string::npos || line.size() < space + 4)
    return Internal("not an HTTP status line: " + line.substr(0, 64));
  const char* digits = line.data() + space + 1;
  if (std::from_chars(digits, digits + 3, reply.status).ec != std::errc())
    return Internal("not an HTTP status line: " + line.substr(0, 64));
  return reply;
}

}  // namespace cdr::providers::http::internal
