#include "agent/write_fence.h"

#include <spdlog/spdlog.h>

#include <mutex>

#include "common/json_file.h"

namespace cdr::agent {

Result<std::shared_ptr<WriteFence>> WriteFence::Open(const std::filesystem::path& state_dir) {
  const std::filesystem::path path = state_dir / "fence.json";
  bool fenced = false;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    Result<nlohmann::json> json = ReadJsonFile(path);
    if (!json.ok()) return DataLoss(path.string() + ": " + json.status().message());
    if (!json->is_object() || !json->contains("fenced") || !(*json)["fenced"].is_boolean()) {
      return DataLoss(path.string() + ": `fenced` must be true or false");
    }
    fenced = (*json)["fenced"].get<bool>();
  }
  if (fenced) spdlog::warn("fence: this agent is fenced ({}): its exports refuse writes", path.string());
  return std::shared_ptr<WriteFence>(new WriteFence(path, fenced));
}

bool WriteFence::fenced() const {
  std::shared_lock lock(mutex_);
  return fenced_;
}

Status WriteFence::Raise() {
  {
    std::unique_lock lock(mutex_);
    if (fenced_) return Status::Ok();
    fenced_ = true;
  }
  spdlog::warn("fence: raised: writes, trims and zeroes are refused from now on");
  return Save(true);
}

Status WriteFence::Lift() {
  std::unique_lock lock(mutex_);
  if (!fenced_) return Status::Ok();
  CDR_RETURN_IF_ERROR(Save(false));
  fenced_ = false;
  spdlog::info("fence: lifted: writes are accepted again");
  return Status::Ok();
}

std::shared_lock<std::shared_mutex> WriteFence::Admit() const {
  std::shared_lock lock(mutex_);
  if (fenced_) lock.unlock();
  return lock;
}

Status WriteFence::Save(bool fenced) const {
  return WriteJsonFileAtomically(path_, nlohmann::json{{"fenced", fenced}});
}

}  // namespace cdr::agent
