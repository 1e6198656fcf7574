// A real cdr-agent process with its control API, driven with curl (a real HTTP client, so requests go through
// the same socket path as the reconciler's), for the end-to-end tests of the replication lifecycle.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/agent/replication_manager_test_util.h"

namespace cdr::agent::testing {

inline constexpr const char* kApiToken = "s3cret-token";

struct HttpReply {
  int code = 0;  // 0: no answer
  nlohmann::json body;
};

// tls_dir: for an https URL, curl trusts tls_dir/ca-cert.pem and presents tls_dir/client-cert.pem.
inline HttpReply Curl(const std::string& method, const std::string& url, const std::string& token,
                      const std::string& body = "", const std::filesystem::path& tls_dir = {}) {
  std::vector<std::string> argv = {"curl", "-s", "--max-time", "10", "-X", method, "-w", "\n%{http_code}"};
  if (!tls_dir.empty()) {
    argv.insert(argv.end(), {"--cacert", (tls_dir / "ca-cert.pem").string(), "--cert",
                             (tls_dir / "client-cert.pem").string(), "--key", (tls_dir / "client-key.pem").string()});
  }
  if (!token.empty()) argv.insert(argv.end(), {"-H", "Authorization: Bearer " + token});
  if (!body.empty()) argv.insert(argv.end(), {"-H", "Content-Type: application/json", "--data", body});
  argv.push_back(url);
  RunResult r = RunProgram(argv, std::chrono::seconds(20));
  HttpReply reply;
  const size_t nl = r.out.rfind('\n');
  if (r.exit_code != 0 || nl == std::string::npos) return reply;
  reply.code = std::stoi(r.out.substr(nl + 1));
  reply.body = nlohmann::json::parse(r.out.substr(0, nl), nullptr, false);
  return reply;
}

// A cdr-agent exporting one disk as "vda", with the control API, found through its --ready-file.
class AgentWithApi {
 public:
  // api_client_tls: with "--api-tls-dir" in extra, the API is HTTPS and is called with this client certificate
  // (one naming cdr:operator).
  AgentWithApi(const std::filesystem::path& work_dir, const std::filesystem::path& state_dir,
               const std::filesystem::path& disk, const std::vector<std::string>& extra,
               const std::filesystem::path& api_client_tls = {})
      : api_client_tls_(api_client_tls),
        ready_(work_dir / "agent.ready"),
        err_(work_dir / "agent.err"),
        child_(
            [&] {
              std::filesystem::create_directories(work_dir);
              std::ofstream(work_dir / "token") << kApiToken << "\n";
              std::vector<std::string> argv = {AgentBinary().string(),
                                               "--listen",
                                               "127.0.0.1:0",
                                               "--state-dir",
                                               state_dir.string(),
                                               "--export",
                                               "vda=" + disk.string(),
                                               "--api-token-file",
                                               (work_dir / "token").string(),
                                               "--ready-file",
                                               ready_.string()};
              argv.insert(argv.end(), extra.begin(), extra.end());
              if (std::find(extra.begin(), extra.end(), "--tls-dir") == extra.end())
                argv.push_back("--insecure");
              return argv;
            }(),
            work_dir / "agent.out", err_) {
    ready_json_ = WaitForReadyFile(ready_, child_);
  }
  bool started() const { return ready_json_.has_value(); }
  const nlohmann::json& ready() const { return *ready_json_; }
  std::string url(const std::string& path) const {
    return (api_client_tls_.empty() ? "http://" : "https://") + ready()["api_address"].get<std::string>() + path;
  }
  std::string nbd_uri() const { return "nbd://" + ready()["nbd_address"].get<std::string>() + "/vda"; }
  HttpReply Get(const std::string& path, const std::string& token = kApiToken) {
    return Curl("GET", url(path), token, "", api_client_tls_);
  }
  HttpReply Post(const std::string& path, const nlohmann::json& body = nullptr) {
    return Curl("POST", url(path), kApiToken, body.is_null() ? "" : body.dump(), api_client_tls_);
  }
  nlohmann::json Status() { return Get("/v1/status").body; }
  bool StateIs(const std::string& state) {
    const nlohmann::json s = Status();
    return s.is_object() && s["state"] == state;
  }
  // Realtime with every journaled write acknowledged by the shadow.
  bool AllAcked() {
    const nlohmann::json s = Status();
    if (!s.is_object() || s["state"] != "realtime" || !s["disks"].is_array() || s["disks"].empty()) return false;
    const nlohmann::json& d = s["disks"][0];
    return d["acked_seq"] == d["journal_seq"];
  }
  // qemu-io writes `length` bytes of `pattern` at `offset` through the agent's export; true when it succeeded.
  bool QemuWrite(uint64_t offset, uint64_t length, int pattern) {
    const std::string command = "write -P " + std::to_string(pattern) + " " + std::to_string(offset) + " " +
                                std::to_string(length);
    return RunProgram({"qemu-io", "-f", "raw", "-c", command, nbd_uri()}, std::chrono::seconds(30)).exit_code == 0;
  }
  uint64_t DiskField(const char* field) {
    const nlohmann::json s = Status();
    if (!s.is_object() || !s["disks"].is_array() || s["disks"].empty()) return 0;
    return s["disks"][0][field].get<uint64_t>();
  }
  Child& child() { return child_; }
  const std::filesystem::path& ready_file() const { return ready_; }
  std::string log() const { return ReadFile(err_); }

 private:
  std::filesystem::path api_client_tls_;
  std::filesystem::path ready_, err_;
  Child child_;
  std::optional<nlohmann::json> ready_json_;
};

// `cmp` of two files: true when byte-identical.
inline bool CmpEqual(const std::filesystem::path& a, const std::filesystem::path& b) {
  return RunProgram({"cmp", "-s", a.string(), b.string()}).exit_code == 0;
}

}  // namespace cdr::agent::testing
