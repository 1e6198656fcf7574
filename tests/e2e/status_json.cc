#include "tests/e2e/status_json.h"

#include <gtest/gtest.h>

namespace cdr::e2e {

nlohmann::json StatusJson(CdrWorkspace& ws, const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = {"status", "--json"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  RunResult r = ws.Cdr(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json status = nlohmann::json::parse(r.out, nullptr, false);
  if (status.is_discarded() || !status.contains("groups") || status["groups"].empty() ||
      status["groups"][0]["servers"].empty()) {
    ADD_FAILURE() << "unexpected status output: " << r.out << r.err;
    return nlohmann::json::object();
  }
  return status;
}

nlohmann::json FirstServer(const nlohmann::json& status) {
  if (!status.contains("groups") || status["groups"].empty() || status["groups"][0]["servers"].empty()) {
    return nlohmann::json::object();
  }
  return status["groups"][0]["servers"][0];
}

}  // namespace cdr::e2e
