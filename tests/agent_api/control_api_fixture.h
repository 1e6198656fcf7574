// A ControlApi on 127.0.0.1 serving a FakeReplicationControl, and real curl as an independent client.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/api/control_api.h"
#include "tests/agent_api/fake_replication_control.h"

namespace cdr::agent::api::testing {

inline constexpr const char* kToken = "s3cret-token-0123456789abcdef";

struct CurlReply {
  int status = 0;       // 0: curl got no HTTP answer
  std::string headers;  // the raw response header block
  std::string body;
  std::string error;                                  // curl's stderr
  std::string Header(const std::string& name) const;  // case-insensitive; "" when absent
};

// Runs /usr/bin/curl against http://ADDRESS PATH with extra arguments (-H, -X, --data …).
CurlReply Curl(const std::string& address, const std::string& path,
               const std::vector<std::string>& args = {});
// The same against any URL (https://…).
CurlReply CurlUrl(const std::string& url, const std::vector<std::string>& args = {});

class ControlApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_ = std::make_unique<ControlApi>(ControlApiOptions{"127.0.0.1", 0, kToken}, &control_);
    Status started = api_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  void TearDown() override { api_->Stop(); }

  std::string address() const { return api_->address(); }
  CurlReply Get(const std::string& path, const std::string& token = kToken) {
    return Curl(address(), path, {"-H", "Authorization: Bearer " + token});
  }
  CurlReply Post(const std::string& path, const std::string& body, const std::string& token = kToken) {
    return Curl(address(), path,
                {"-X", "POST", "-H", "Authorization: Bearer " + token, "-H", "Content-Type: application/json",
                 "--data-binary", body});
  }

  FakeReplicationControl control_;
  std::unique_ptr<ControlApi> api_;
};

}  // namespace cdr::agent::api::testing
