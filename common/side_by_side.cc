#include "common/side_by_side.h"

#include <thread>

namespace cdr {

Status SideBySide(const std::function<Status()>& here, const std::function<Status()>& beside) {
  Status beside_status = Status::Ok();
  std::thread other([&] { beside_status = beside(); });
  Status here_status = here();
  other.join();
  return here_status.ok() ? beside_status : here_status;
}

}  // namespace cdr
