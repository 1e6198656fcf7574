// A drill's verification on the local cloud. Each disk is read back through the DR host's own NBD export with
// nbdcopy (what a user attaching to it would see) into a scratch image, and then:
//   fsck      e2fsck -fn on it: a clean, crash-consistent filesystem at the recovery point
//   checksum  compared with the shadow's replica when the DR host shows exactly what the replica holds (its point
//             is the replica's applied seq); otherwise the content at that point is not known: "unknown"
//   command   `sh -c COMMAND` with CDR_DISK (the first disk's image) and CDR_DISK_<name> for each disk; exit 0 passes
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "common/clock.h"
#include "common/digest.h"
#include "common/json_file.h"
#include "common/nbd_uri.h"
#include "common/random_hex.h"
#include "providers/dr_check_kind.h"
#include "providers/local/internal/dr_host_record.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/run_tool.h"
#include "providers/local/local_provider.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;

Result<std::string> FileSha256(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Internal("cannot read " + path.string());
  Sha256 sha;
  std::vector<char> buffer(4 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    sha.Update(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
  }
  return sha.HexDigest();
}

std::string Tail(std::string text, size_t max = 400) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.size() > max ? "…" + text.substr(text.size() - max) : text;
}

struct Scratch {
  fs::path dir;
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// Only one apply runs at a time (the state lock), so a scratch folder found here was left by an apply that died
// while verifying; its images are as big as the DR host's disks.
void RemoveInterruptedScratch(const fs::path& host_dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(host_dir, ec)) {
    if (entry.path().filename().string().rfind("verify-", 0) == 0) fs::remove_all(entry.path(), ec);
  }
}

// CDR_LOCAL_VERIFY_DELAY_MS holds a verification before it reads the disks, as --op-delay-ms holds the local
// cloud's calls: tests use it to kill an apply while it is verifying.
void DelayForTests() {
  const char* delay = std::getenv("CDR_LOCAL_VERIFY_DELAY_MS");
  if (delay && *delay) std::this_thread::sleep_for(std::chrono::milliseconds(std::atol(delay)));
}

// The seq of each disk the DR host shows, from its ready file; empty when unknown.
std::map<std::string, uint64_t> PointSeqs(const fs::path& ready_file) {
  std::map<std::string, uint64_t> seqs;
  auto ready = ReadJsonFile(ready_file);
  if (!ready.ok() || !ready->contains("point")) return seqs;
  // Named, not iterated as a temporary: items() only refers to the json it was called on, and a range-for does
  // not keep a temporary that its range expression goes through alive (C++20).
  const nlohmann::json point_seqs = (*ready)["point"].value("seqs", nlohmann::json::object());
  for (const auto& [disk, seq] : point_seqs.items()) {
    if (seq.is_number_unsigned()) seqs[disk] = seq.get<uint64_t>();
  }
  return seqs;
}

Result<DrHostCheckResult> Checksum(const internal::DrHostRecord& record, const fs::path& ready_file,
                                   const std::map<std::string, fs::path>& images) {
  const fs::path server_dir = internal::ShadowServerDir(record.replica_dir, record.host.server_id);
  const std::map<std::string, uint64_t> seqs = PointSeqs(ready_file);
  std::string detail;
  for (const auto& [disk, image] : images) {
    auto state = ReadJsonFile(server_dir / (disk + ".state.json"));
    auto seq = seqs.find(disk);
    if (!state.ok() || seq == seqs.end() || state->value("applied_seq", uint64_t{0}) != seq->second) {
      return DrHostCheckResult{"unknown", "disk " + disk + ": the DR host shows seq " +
                                              (seq == seqs.end() ? std::string("?") : std::to_string(seq->second)) +
                                              ", the replica holds another; the content at that point is not known "
                                              "to compare with"};
    }
    auto shown = FileSha256(image);
    if (!shown.ok()) return shown.status();
    auto replica = FileSha256(server_dir / (disk + ".img"));
    if (!replica.ok()) return replica.status();
    if (*shown != *replica) {
      return DrHostCheckResult{"failed", "disk " + disk + ": sha256 " + shown->substr(0, 16) + "… differs from the "
                                         "replica's " + replica->substr(0, 16) + "… at seq " +
                                         std::to_string(seq->second)};
    }
    detail += (detail.empty() ? "" : "; ") + disk + " sha256 " + shown->substr(0, 16) + "… = replica at seq " +
              std::to_string(seq->second);
  }
  return DrHostCheckResult{"passed", detail};
}

}  // namespace

Result<DrHostCheckResult> LocalProvider::CheckDrHost(const std::string& id, const DrHostCheck& check) {
  auto result = RunDrHostCheck(id, check);
  if (!result.ok()) return result;
  // The host was described by the check, so its record is there; cdr-dr-disk exports what is written here.
  auto record = internal::ReadDrHost(internal::DrHostFile(root_, id));
  if (!record.ok()) return record.status();
  const nlohmann::json verification = {
      {"result", result->result}, {"detail", result->detail}, {"time_ns", NowUnixNanos()}};
  CDR_RETURN_IF_ERROR(WriteJsonFileAtomically(
      internal::VerificationFile(internal::DrHostDir(root_, record->host.zone, id)), verification));
  return result;
}

Result<DrHostCheckResult> LocalProvider::RunDrHostCheck(const std::string& id, const DrHostCheck& check) {
  auto host = DescribeDrHost(id);
  if (!host.ok()) return host.status();
  if (host->status != "running") return FailedPrecondition("DR host " + id + " is not running");
  auto record = internal::ReadDrHost(internal::DrHostFile(root_, id));
  if (!record.ok()) return record.status();
  auto nbdcopy = internal::FindTool("nbdcopy");
  if (!nbdcopy.ok()) return FailedPrecondition("verifying a drill reads its disks with nbdcopy: install libnbd-bin");
  const fs::path host_dir = internal::DrHostDir(root_, host->zone, id);
  RemoveInterruptedScratch(host_dir);
  Scratch scratch{host_dir / ("verify-" + RandomHex(4))};
  std::error_code ec;
  fs::create_directories(scratch.dir, ec);
  if (ec) return Internal(scratch.dir.string() + ": " + ec.message());
  DelayForTests();
  std::map<std::string, fs::path> images;
  for (const std::string& disk : host->disks) {
    const fs::path image = scratch.dir / (disk + ".img");
    CDR_RETURN_IF_ERROR(internal::RunToolChecked(
        *nbdcopy, {"--destination-is-zero", NbdUri(host->nbd_address, disk, host->nbd_tls_dir), image.string()}));
    images[disk] = image;
  }
  if (images.empty()) return DrHostCheckResult{"unknown", "the DR host has no disks"};
  const std::optional<DrCheckKind> kind = ParseDrCheckKind(check.kind);
  if (kind == DrCheckKind::kChecksum) {
    return Checksum(*record, host_dir / "ready.json", images);
  }
  if (kind == DrCheckKind::kFsck) {
    auto e2fsck = internal::FindTool("e2fsck");
    if (!e2fsck.ok()) return e2fsck.status();
    std::string detail;
    for (const auto& [disk, image] : images) {
      auto ran = internal::RunTool(*e2fsck, {"-fn", image.string()});
      if (!ran.ok()) return ran.status();
      if (ran->exit_code != 0) {
        return DrHostCheckResult{"failed", "e2fsck -fn " + disk + " exited with " + std::to_string(ran->exit_code) +
                                               ": " + Tail(ran->stderr_text)};
      }
      detail += (detail.empty() ? "" : "; ") + ("e2fsck -fn " + disk + ": clean");
    }
    return DrHostCheckResult{"passed", detail};
  }
  if (kind == DrCheckKind::kCommand) {
    internal::ToolOptions options;
    options.extra_env.push_back("CDR_DISK=" + images.begin()->second.string());
    for (const auto& [disk, image] : images) options.extra_env.push_back("CDR_DISK_" + disk + "=" + image.string());
    const fs::path output = scratch.dir / "command.out";
    options.stdout_path = output;
    auto ran = internal::RunTool("/bin/sh", {"-c", check.command}, options);
    if (!ran.ok()) return ran.status();
    std::ifstream in(output);
    std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string said = Tail(out + ran->stderr_text);
    if (ran->exit_code != 0) {
      return DrHostCheckResult{"failed", "`" + check.command + "` exited with " + std::to_string(ran->exit_code) +
                                             (said.empty() ? "" : ": " + said)};
    }
    return DrHostCheckResult{"passed", "`" + check.command + "` exited with 0" + (said.empty() ? "" : ": " + said)};
  }
  return InvalidArgument("unknown verification \"" + check.kind + "\": checksum, fsck or command");
}

}  // namespace cdr::providers::local
