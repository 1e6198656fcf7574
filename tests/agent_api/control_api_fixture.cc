#include "tests/agent_api/control_api_fixture.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "tests/support/process_test_util.h"

namespace cdr::agent::api::testing {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::string CurlReply::Header(const std::string& name) const {
  std::istringstream lines(headers);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos || Lower(line.substr(0, colon)) != Lower(name)) continue;
    size_t start = line.find_first_not_of(' ', colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

CurlReply Curl(const std::string& address, const std::string& path, const std::vector<std::string>& args) {
  return CurlUrl("http://" + address + path, args);
}

CurlReply CurlUrl(const std::string& url, const std::vector<std::string>& args) {
  cdr::testing::TempDir dir;
  std::vector<std::string> argv = {"/usr/bin/curl",
                                   "-sS",
                                   "--max-time",
                                   "10",
                                   "-o",
                                   (dir / "body").string(),
                                   "-D",
                                   (dir / "headers").string(),
                                   "-w",
                                   "%{http_code}"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(url);
  cdr::testing::RunResult run = cdr::testing::RunProgram(argv, std::chrono::seconds(30));
  CurlReply reply;
  reply.error = run.err;
  try {
    reply.status = std::stoi(run.out);
  } catch (const std::exception&) {
    reply.status = 0;
  }
  reply.headers = cdr::testing::ReadFile(dir / "headers");
  reply.body = cdr::testing::ReadFile(dir / "body");
  return reply;
}

}  // namespace cdr::agent::api::testing
