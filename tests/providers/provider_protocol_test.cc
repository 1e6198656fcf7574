// The generic provider interface end to end in one process: the local cloud's resource types
// (local_resources.h) served over the provider protocol (provider_server.h), reached by the HTTP client
// (http_resource_provider.h) through the typed calls the reconciler makes (providers/types/).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "common/tls_context.h"
#include "providers/http/conformance.h"
#include "providers/http/http_resource_provider.h"
#include "providers/http/provider_server.h"
#include "providers/local/local_resources.h"
#include "providers/types/agent.h"
#include "providers/types/agent_version.h"
#include "providers/types/host.h"
#include "providers/types/peering.h"
#include "tests/providers/temp_cloud.h"
#include "tests/support/tls_test_certs.h"

namespace cdr::providers {
namespace {

using ::testing::HasSubstr;

constexpr char kToken[] = "provider-test-token";

class ProviderProtocolTest : public local::test_util::LocalCloudTest {
 protected:
  void SetUp() override {
    LocalCloudTest::SetUp();
    std::shared_ptr<local::LocalProvider> local = InitAndOpen(/*hosts=*/2);
    ASSERT_NE(local, nullptr);
    in_process_ = local;
    served_ = local::LocalResources(local);
    server_ = std::make_unique<http::ProviderServer>(
        http::ProviderServerOptions{"127.0.0.1", 0, kToken, nullptr}, served_.get());
    ASSERT_TRUE(server_->Start().ok());
    auto client = Connect(kToken);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(*client);
    generic_ = client_.get();
  }

  Result<std::unique_ptr<http::HttpResourceProvider>> Connect(const std::string& token) {
    return http::HttpResourceProvider::Open(
        {"http://" + server_->address(), token, {}, std::chrono::seconds(10)});
  }

  std::shared_ptr<local::LocalProvider> in_process_;
  std::unique_ptr<ResourceTypeRegistry> served_;
  std::unique_ptr<http::ProviderServer> server_;
  std::unique_ptr<http::HttpResourceProvider> client_;
  ResourceProvider* generic_ = nullptr;  // client_
};

TEST_F(ProviderProtocolTest, OneClientTokenMakesOneResourceAndAGoneOneIsNotFound) {
  const PeeringRequest request{"token-1", "cdr-web", "vpc-prod", "az1", "az2"};
  auto first = types::CreatePeering(*generic_, request);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = types::CreatePeering(*generic_, request);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(types::ReadPeering(*generic_, first->id)->name, "cdr-web");

  EXPECT_TRUE(types::DeletePeering(*generic_, first->id).ok());
  EXPECT_EQ(types::ReadPeering(*generic_, first->id).status().code(), StatusCode::kNotFound);
  // The generic call says the resource is gone; the typed one treats it as deleted ("deleting a missing one
  // is Ok").
  EXPECT_EQ(generic_->Delete("peering", first->id).code(), StatusCode::kNotFound);
  EXPECT_TRUE(types::DeletePeering(*generic_, first->id).ok());
}

TEST_F(ProviderProtocolTest, ReadsOverHttpEqualTheInProcessOnes) {
  auto remote = types::ListHosts(*generic_, {});
  auto local = in_process_->ListHosts({});
  ASSERT_TRUE(remote.ok()) << remote.status().ToString();
  ASSERT_EQ(remote->size(), 2u);
  EXPECT_EQ(nlohmann::json(remote->at(1)).dump(), nlohmann::json(local->at(1)).dump());
  auto versions = types::ListAgentVersions(*generic_);
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  EXPECT_EQ(versions->offered, in_process_->ListAgentVersions()->offered);
  EXPECT_EQ(versions->default_version, in_process_->ListAgentVersions()->default_version);
}

// A refresh's batch reads: one list by ids, the gone ones left out, and the filter's misuse refused.
TEST_F(ProviderProtocolTest, BatchReadsAreOneListByIdsAndLeaveOutTheGone) {
  auto hosts = types::ReadHosts(*generic_, {"host-2", "host-9", "host-1"});
  ASSERT_TRUE(hosts.ok()) << hosts.status().ToString();
  ASSERT_EQ(hosts->size(), 2u);
  EXPECT_EQ(nlohmann::json(*types::ReadHost(*generic_, "host-2")).dump(),
            nlohmann::json(hosts->at(0)).dump());
  EXPECT_EQ(hosts->at(1).id, "host-1");
  auto agents = types::ReadAgents(*generic_, {"host-1"});
  ASSERT_TRUE(agents.ok()) << agents.status().ToString();
  EXPECT_TRUE(agents->empty()) << "no agent is installed";

  auto listed = generic_->List("peering", {{"ids", nlohmann::json::array()}});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(*listed, nlohmann::json::array());
  auto mixed = generic_->List("host", {{"ids", {"host-1"}}, {"zone", "az1"}});
  EXPECT_EQ(mixed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(mixed.status().message(), HasSubstr("takes no other field"));
  auto unfiltered = generic_->List("peering", nlohmann::json::object());
  EXPECT_THAT(unfiltered.status().message(), HasSubstr("listed only by ids"));
}

TEST_F(ProviderProtocolTest, RefusalsAreNamedAndSayWhatToDo) {
  auto unknown = generic_->Read("volume", "vol-1");
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("UnknownType"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("this provider has: host, peering"));

  auto op = generic_->Invoke("dr_host", "dr-1", "explode", nlohmann::json::object());
  EXPECT_THAT(op.status().message(), HasSubstr("UnknownOperation"));
  EXPECT_THAT(op.status().message(), HasSubstr("it has: check, detach"));

  EXPECT_THAT(generic_->Delete("host", "host-1").message(), HasSubstr("UnsupportedCall"));

  // Every problem of a config at once, before the cloud is asked.
  Status invalid = generic_->Validate("peering", {{"vpc", 3}, {"colour", "blue"}});
  EXPECT_EQ(invalid.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(invalid.message(), HasSubstr("vpc must be a string"));
  EXPECT_THAT(invalid.message(), HasSubstr("production_zone is required"));
  EXPECT_THAT(invalid.message(), HasSubstr("colour is not an attribute of peering"));

  auto wrong_token = Connect("not-the-token");
  EXPECT_EQ(wrong_token.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(wrong_token.status().message(), HasSubstr("Unauthenticated"));
}

// With --tls-dir: HTTPS only, and only cdr's certificate (cdr:operator) of the estate's CA gets an answer;
// the conformance kit passes over TLS too (its raw head checks included).
TEST_F(ProviderProtocolTest, OverHttpsOnlyCdrsCertificateGetsIn) {
  const testing::TestCertificates certs = testing::MakeTestCertificates(dir_.path() / "pki");
  ASSERT_FALSE(HasFatalFailure());
  auto tls = TlsContext::Load(TlsFilesIn(certs.server, TlsRole::kServer), TlsRole::kServer);
  ASSERT_TRUE(tls.ok()) << tls.status().ToString();
  http::ProviderServer https({"127.0.0.1", 0, kToken, *tls}, served_.get());
  ASSERT_TRUE(https.Start().ok());
  const std::string url = "https://" + https.address();

  auto cdr = http::HttpResourceProvider::Open({url, kToken, certs.client, std::chrono::seconds(10)});
  ASSERT_TRUE(cdr.ok()) << cdr.status().ToString();
  EXPECT_TRUE(types::ReadHost(**cdr, "host-1").ok());
  auto agent = http::HttpResourceProvider::Open({url, kToken, certs.agent_client, std::chrono::seconds(10)});
  EXPECT_EQ(agent.status().code(), StatusCode::kUnavailable);
  auto plain =
      http::HttpResourceProvider::Open({"http://" + https.address(), kToken, {}, std::chrono::seconds(5)});
  EXPECT_EQ(plain.status().code(), StatusCode::kUnavailable);

  http::ConformanceOptions kit;
  kit.url = url;
  kit.token = kToken;
  kit.tls_dir = certs.client;
  for (const http::RuleResult& rule : http::RunConformance(kit))
    EXPECT_TRUE(rule.passed) << rule.rule << ": " << rule.detail;
}

// Forwards to `next`; a read of `host` waits until Release() (the one request the server below may serve at
// once).
class HeldReads : public ResourceProvider {
 public:
  explicit HeldReads(ResourceProvider* next) : next_(next) {}
  std::string Name() const override { return next_->Name(); }
  Result<ProviderSchema> Schema() override { return next_->Schema(); }
  Status Validate(const std::string& t, const Json& c) override { return next_->Validate(t, c); }
  Result<Json> Create(const std::string& t, const std::string& token, const Json& c) override {
    return next_->Create(t, token, c);
  }
  Result<Json> Read(const std::string& type, const std::string& id) override {
    std::unique_lock lock(mu_);
    if (type == "host") {
      ++held_;
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
    }
    return next_->Read(type, id);
  }
  Result<Json> List(const std::string& t, const Json& f) override { return next_->List(t, f); }
  Status Delete(const std::string& t, const std::string& id) override { return next_->Delete(t, id); }
  Result<Json> Invoke(const std::string& t, const std::string& id, const std::string& op,
                      const Json& a) override {
    return next_->Invoke(t, id, op, a);
  }
  bool WaitHeld() {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(30), [this] { return held_ > 0; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    changed_.notify_all();
  }

 private:
  ResourceProvider* next_;
  std::mutex mu_;
  std::condition_variable changed_;
  int held_ = 0;
  bool released_ = false;
};

std::string CurlHead(const std::string& url) {
  const std::string command =
      "/usr/bin/curl -s -i -m 20 -H 'Authorization: Bearer " + std::string(kToken) + "' " + url + " 2>&1";
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  pclose(pipe);
  return out;
}

// One request over --max-in-flight is refused before its body with 503, Retry-After and the protocol's error
// body; the slot is free again once the request in flight has its answer.
TEST_F(ProviderProtocolTest, ARequestOverTheInFlightLimitIsRefusedWithRetryAfter) {
  HeldReads held(served_.get());
  http::ProviderServer one({"127.0.0.1", 0, kToken, nullptr, /*max_in_flight=*/1}, &held);
  ASSERT_TRUE(one.Start().ok());
  const std::string url = "http://" + one.address() + "/v1/resources/host/host-1";
  std::string first;
  std::thread in_flight([&] { first = CurlHead(url); });
  const bool one_in_flight = held.WaitHeld();
  const std::string busy = one_in_flight ? CurlHead(url) : "";
  held.Release();
  in_flight.join();
  ASSERT_TRUE(one_in_flight) << "the first request never reached the provider: " << first;
  EXPECT_THAT(busy, HasSubstr("HTTP/1.1 503"));
  EXPECT_THAT(busy, HasSubstr("Retry-After: 1"));
  EXPECT_THAT(busy, HasSubstr("\"Unavailable\""));
  EXPECT_THAT(first, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(CurlHead(url), HasSubstr("HTTP/1.1 200"));
}

}  // namespace
}  // namespace cdr::providers
