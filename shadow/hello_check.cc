#include "shadow/hello_check.h"

#include <string>

#include "common/name_rules.h"

namespace cdr::shadow {

Status CheckHello(const wire::Hello& hello, uint64_t max_disk_size) {
  if (std::string problems = IdentifierProblems(hello.server_id); !problems.empty()) {
    return InvalidArgument("HELLO: invalid server id: " + problems);
  }
  if (std::string problems = IdentifierProblems(hello.disk); !problems.empty()) {
    return InvalidArgument("HELLO: invalid disk name: " + problems);
  }
  if (hello.disk_size == 0) return InvalidArgument("HELLO: disk size 0");
  if (hello.disk_size > max_disk_size) {
    return InvalidArgument("HELLO: disk size " + std::to_string(hello.disk_size) +
                           " bytes is over this shadow's " + std::to_string(max_disk_size) +
                           " (cdr-shadow --max-disk-gib)");
  }
  if (hello.block_size == 0 || hello.block_size > (1u << 20) ||
      (hello.block_size & (hello.block_size - 1)) != 0) {
    return InvalidArgument("HELLO: block size " + std::to_string(hello.block_size) +
                           " is not a power of two up to 1 MiB");
  }
  return Status::Ok();
}

}  // namespace cdr::shadow
