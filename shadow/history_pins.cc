#include "shadow/history_pins.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/json_file.h"
#include "shadow/history_files.h"

namespace cdr::shadow {
namespace fs = std::filesystem;

std::map<std::string, uint64_t> LowestPinnedSeqs(const fs::path& server_dir, bool* unreadable) {
  std::map<std::string, uint64_t> lowest;
  *unreadable = false;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(PinsDir(server_dir), ec)) {
    if (entry.path().extension() != ".json") continue;  // tmp files of a pin being written
    Result<nlohmann::json> pin = ReadJsonFile(entry.path());
    if (!pin.ok() || !pin->is_object() || !pin->contains("seqs") || !(*pin)["seqs"].is_object()) {
      spdlog::warn("pin {} is unreadable: no base moves until it is fixed or removed", entry.path().string());
      *unreadable = true;
      continue;
    }
    for (const auto& [disk, seq] : (*pin)["seqs"].items()) {
      if (!seq.is_number_unsigned()) {
        *unreadable = true;
        continue;
      }
      auto it = lowest.find(disk);
      lowest[disk] = it == lowest.end() ? seq.get<uint64_t>() : std::min(it->second, seq.get<uint64_t>());
    }
  }
  return lowest;
}

}  // namespace cdr::shadow
