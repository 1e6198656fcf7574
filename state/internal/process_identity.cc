#include "state/internal/process_identity.h"

#include <pwd.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace cdr::state::internal {

std::string Hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

std::string UserName() {
  if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') return user;
  uid_t uid = getuid();
  if (const passwd* pw = getpwuid(uid); pw != nullptr && pw->pw_name != nullptr) return pw->pw_name;
  return std::to_string(uid);
}

int64_t CurrentPid() { return static_cast<int64_t>(getpid()); }

std::optional<int64_t> ProcessStartTime(int64_t pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Field 2 is the command name in parentheses and may itself hold spaces and parentheses: count fields
  // from the last ')'. After it come field 3 (state) ... field 22 (starttime).
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::string state;
  fields >> state;
  if (state == "Z" || state == "X") return std::nullopt;
  std::string skipped;
  for (int field = 4; field < 22; ++field) fields >> skipped;
  int64_t start_time = 0;
  if (!(fields >> start_time)) return std::nullopt;
  return start_time;
}

bool ProcessAlive(int64_t pid, int64_t start_time) {
  if (!std::filesystem::exists("/proc/self/stat")) return true;
  std::optional<int64_t> actual = ProcessStartTime(pid);
  if (!actual) return false;
  return start_time == 0 || *actual == start_time;
}

}  // namespace cdr::state::internal
