#include "shadow/recovery_policy.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "common/json_file.h"

namespace cdr::shadow {

Result<RecoveryPolicy> ParseRecoveryPolicy(const std::filesystem::path& path) {
  Result<nlohmann::json> read = ReadJsonFile(path);
  if (!read.ok()) return InvalidArgument(path.string() + ": " + read.status().ToString());
  const nlohmann::json& j = *read;
  if (!j.is_object()) return InvalidArgument(path.string() + ": not a JSON object");
  RecoveryPolicy p;
  for (const auto& [key, out] : {std::pair<const char*, uint64_t*>{"every_seconds", &p.every_seconds},
                                 std::pair<const char*, uint64_t*>{"keep", &p.keep}}) {
    if (!j.contains(key) || !j[key].is_number_unsigned() || j[key].get<uint64_t>() == 0) {
      return InvalidArgument(path.string() + ": " + key + " must be a whole number >= 1");
    }
    *out = j[key].get<uint64_t>();
  }
  return p;
}

const std::optional<RecoveryPolicy>& PolicyWatcher::Current() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    if (seen_ && policy_) spdlog::info("{} removed: no more scheduled recovery points", path_.string());
    seen_ = true;
    size_ = -1;
    policy_.reset();
    return policy_;
  }
  if (seen_ && size_ == st.st_size && mtime_.tv_sec == st.st_mtim.tv_sec &&
      mtime_.tv_nsec == st.st_mtim.tv_nsec) {
    return policy_;
  }
  seen_ = true;
  mtime_ = st.st_mtim;
  size_ = st.st_size;
  Result<RecoveryPolicy> parsed = ParseRecoveryPolicy(path_);
  if (!parsed.ok()) {
    spdlog::error("ignoring recovery policy: {}", parsed.status().ToString());
    return policy_;
  }
  if (!policy_ || policy_->every_seconds != parsed->every_seconds || policy_->keep != parsed->keep) {
    spdlog::info("{}: a recovery point every {} s, keep {}", path_.string(), parsed->every_seconds,
                 parsed->keep);
  }
  policy_ = *parsed;
  return policy_;
}

}  // namespace cdr::shadow
