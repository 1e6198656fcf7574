#include "agent/io_status.h"

#include <cerrno>
#include <cstring>

#include "agent/nbd_protocol.h"

namespace cdr::agent {

Status ErrnoStatus(const std::string& what, int err) {
  std::string message = what + ": " + std::strerror(err);
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return Unavailable(std::move(message));
    case EINVAL:
      return InvalidArgument(std::move(message));
    case EROFS:
    case EPERM:
    case EACCES:
      return FailedPrecondition(std::move(message));
    default:
      return Internal(std::move(message));
  }
}

uint32_t NbdErrorFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return 0;
    case StatusCode::kInvalidArgument: return nbd::kEInval;
    case StatusCode::kUnavailable: return nbd::kENoSpc;
    case StatusCode::kFailedPrecondition: return nbd::kEPerm;
    default: return nbd::kEIo;
  }
}

}  // namespace cdr::agent
