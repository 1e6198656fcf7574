#include "providers/http/conformance.h"

#include <cpprest/http_client.h>

#include <algorithm>
#include <functional>
#include <iomanip>
#include <optional>
#include <sstream>

#include "agent/api/byte_body.h"
#include "agent/api/https_setup.h"
#include "common/random_hex.h"
#include "common/tls_context.h"
#include "providers/http/internal/raw_request.h"
#include "providers/http/protocol.h"
#include "providers/resource_schema.h"

namespace cdr::providers::http {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Exchange {
  bool answered = false;
  int status = 0;
  std::string body;
  std::string failure;  // why there is no answer
};

// A rule's verdict; the rule's runner adds the name and the time.
struct Verdict {
  bool passed;
  std::string detail;
};
Verdict Pass(std::string detail) { return {true, std::move(detail)}; }
Verdict Fail(std::string detail) { return {false, std::move(detail)}; }

class Kit {
 public:
  explicit Kit(const ConformanceOptions& o) : options_(o) {
    web::http::client::http_client_config config;
    config.set_timeout(o.deadline);
    web::uri uri(o.url);
    raw_.host = uri.host();
    raw_.port = uri.port() > 0 ? uri.port() : (uri.scheme() == "https" ? 443 : 80);
    if (uri.scheme() == "https") {
      auto tls = TlsContext::Load(TlsFilesIn(o.tls_dir, TlsRole::kClient), TlsRole::kClient);
      if (!tls.ok()) {
        setup_error_ = "cdr's client certificate (--tls-dir): " + tls.status().message();
        return;
      }
      raw_.tls = *tls;
      config.set_ssl_context_callback(agent::api::ClientSslSetup(*tls));
    }
    client_ = std::make_unique<web::http::client::http_client>(uri, config);
  }

  std::vector<RuleResult> Run() {
    std::vector<RuleResult> results;
    auto run = [&](const char* rule, std::function<Verdict()> check) {
      const auto start = Clock::now();
      Verdict v = setup_error_.empty() ? check() : Fail(setup_error_);
      const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
      results.push_back({rule, v.passed, std::move(v.detail), ms});
    };
    run("schema", [&] { return Schema(); });
    run("create_idempotent", [&] { return CreateIdempotent(); });
    run("list_by_ids", [&] { return ListByIds(); });
    run("not_found_after_delete", [&] { return NotFoundAfterDelete(); });
    run("unknown_type_named", [&] { return UnknownTypeNamed(); });
    run("bad_token_before_body", [&] { return RefusedFromHead("Bearer not-the-token", 1 << 20, 401); });
    run("oversized_body_refused", [&] { return RefusedFromHead("Bearer " + options_.token, 64 << 20, 413); });
    run("errors_carry_code", [&] { return ErrorsCarryCode(); });
    for (const std::string& id : leftovers_) Send("DELETE", "/v1/resources/peering/" + id, nullptr);
    return results;
  }

 private:
  Exchange Send(const std::string& method, const std::string& path, const Json* body) {
    Exchange e;
    web::http::http_request request(method);
    request.set_request_uri(path);
    request.headers().add("Authorization", "Bearer " + options_.token);
    if (body) agent::api::SetByteBody(request, body->dump(), "application/json");
    try {
      web::http::http_response response = client_->request(request).get();
      e.status = response.status_code();
      const std::vector<unsigned char> bytes = response.extract_vector().get();
      e.body.assign(bytes.begin(), bytes.end());
      e.answered = true;
    } catch (const std::exception& ex) {
      e.failure = method + " " + path + ": no answer within " + std::to_string(options_.deadline.count()) +
                  " ms (" + ex.what() + ")";
    }
    return e;
  }

  // A refusal's error code, noting for errors_carry_code when the body does not carry one.
  std::optional<ErrorCode> CodeOf(const std::string& what, const Exchange& e) {
    std::optional<WireError> error = ParseErrorBody(e.body);
    if (!error || error->message.empty()) {
      bad_refusals_.push_back(what + " (HTTP " + std::to_string(e.status) + ")");
      return std::nullopt;
    }
    ++good_refusals_;
    return error->code;
  }

  static std::string Id(const Exchange& e, const char* member) {
    Json json = Json::parse(e.body, nullptr, false);
    if (!json.is_object() || !json.contains(member) || !json[member].is_object()) return "";
    const Json& r = json[member];
    return r.contains("id") && r["id"].is_string() ? r["id"].get<std::string>() : "";
  }

  Verdict Schema() {
    Exchange e = Send("GET", "/v1/schema", nullptr);
    if (!e.answered) return Fail(e.failure);
    if (e.status != 200)
      return Fail("GET /v1/schema answered HTTP " + std::to_string(e.status) + ", expected 200");
    Json json = Json::parse(e.body, nullptr, false);
    Result<ProviderSchema> schema = ProviderSchemaFromJson(json);
    if (!schema.ok()) return Fail(schema.status().message());
    if (schema->protocol_version != kProtocolVersion)
      return Fail("protocol_version " + std::to_string(schema->protocol_version) + ", expected " +
                  std::to_string(kProtocolVersion));
    const TypeSchema* peering = schema->Find("peering");
    if (!peering || !peering->Supports(ResourceCall::kCreate) || !peering->Supports(ResourceCall::kRead) ||
        !peering->Supports(ResourceCall::kDelete))
      return Fail("no peering type with create, read and delete (the kit's resource)");
    return Pass("protocol version 1, " + std::to_string(schema->types.size()) + " types (" +
                schema->TypeNames() + ")");
  }

  Verdict CreateIdempotent() {
    const std::string token = "cdr-conformance-" + RandomHex(8);
    const Json body = {{"client_token", token},
                       {"config",
                        {{"name", token},
                         {"vpc", options_.vpc},
                         {"production_zone", options_.production_zone},
                         {"dr_zone", options_.dr_zone}}}};
    Exchange first = Send("POST", "/v1/resources/peering", &body);
    if (!first.answered) return Fail(first.failure);
    const std::string a = Id(first, "resource");
    if (first.status != 200 || a.empty())
      return Fail("the first create answered HTTP " + std::to_string(first.status) + " " +
                  first.body.substr(0, 200) + ", expected 200 with {\"resource\": {\"id\": …}}");
    leftovers_.push_back(a);
    created_ = a;  // what not_found_after_delete deletes, whatever this rule concludes
    Exchange second = Send("POST", "/v1/resources/peering", &body);
    if (!second.answered) return Fail(second.failure);
    const std::string b = Id(second, "resource");
    if (second.status != 200 || b.empty())
      return Fail("the second create with the same client token answered HTTP " +
                  std::to_string(second.status) + ", expected 200 with the first resource");
    if (b != a) {
      leftovers_.push_back(b);
      return Fail("two creates with client token " + token + " made two resources, " + a + " and " + b +
                  ": a retried apply would duplicate; return the first resource for a token seen before");
    }
    Exchange read = Send("GET", "/v1/resources/peering/" + a, nullptr);
    if (!read.answered) return Fail(read.failure);
    if (read.status != 200 || Id(read, "resource") != a)
      return Fail("reading the created " + a + " answered HTTP " + std::to_string(read.status) +
                  ", expected 200");
    return Pass("two creates with one client token gave one peering, " + a);
  }

  Verdict ListByIds() {
    if (created_.empty()) return Fail("not run: create_idempotent made no resource to list");
    const std::string missing = "cdr-conformance-missing-" + RandomHex(8);
    const Json body = {{"filter", {{"ids", {created_, missing}}}}};
    Exchange e = Send("POST", "/v1/list/peering", &body);
    if (!e.answered) return Fail(e.failure);
    Json json = Json::parse(e.body, nullptr, false);
    const bool listed =
        e.status == 200 && json.is_object() && json.contains("resources") && json["resources"].is_array();
    std::vector<std::string> ids;
    if (listed) {
      for (const Json& r : json["resources"])
        ids.push_back(r.is_object() && r.contains("id") && r["id"].is_string() ? r["id"].get<std::string>()
                                                                               : "");
    }
    if (!listed || ids != std::vector<std::string>{created_})
      return Fail("POST /v1/list/peering with the filter {\"ids\": [\"" + created_ + "\", \"" + missing +
                  "\"]} answered HTTP " + std::to_string(e.status) + " " + e.body.substr(0, 200) +
                  ", expected 200 with {\"resources\": [" + created_ +
                  "]}: list by ids answers with the ones that exist (cdr reads hundreds of resources so)");
    return Pass("the filter {\"ids\": [" + created_ + ", a missing one]} listed " + created_ + " alone");
  }

  Verdict NotFoundAfterDelete() {
    if (created_.empty()) return Fail("not run: create_idempotent made no resource to delete");
    const std::string path = "/v1/resources/peering/" + created_;
    Exchange del = Send("DELETE", path, nullptr);
    if (!del.answered) return Fail(del.failure);
    if (del.status != 200)
      return Fail("DELETE " + path + " answered HTTP " + std::to_string(del.status) + ", expected 200");
    leftovers_.erase(std::remove(leftovers_.begin(), leftovers_.end(), created_), leftovers_.end());
    Exchange read = Send("GET", path, nullptr);
    if (!read.answered) return Fail(read.failure);
    if (read.status != 404 || CodeOf("GET of a deleted resource", read) != ErrorCode::kNotFound)
      return Fail("GET after DELETE answered HTTP " + std::to_string(read.status) +
                  ", expected 404 with code NotFound (a gone resource must read as gone)");
    Exchange again = Send("DELETE", path, nullptr);
    if (!again.answered) return Fail(again.failure);
    if (again.status != 404 || CodeOf("DELETE of a deleted resource", again) != ErrorCode::kNotFound)
      return Fail("a second DELETE answered HTTP " + std::to_string(again.status) +
                  ", expected 404 NotFound");
    return Pass("read and delete of the deleted " + created_ + " are 404 NotFound");
  }

  Verdict UnknownTypeNamed() {
    Exchange e = Send("GET", "/v1/resources/cdr-conformance-no-such-type/x", nullptr);
    if (!e.answered) return Fail(e.failure);
    std::optional<ErrorCode> code = CodeOf("GET of an unknown type", e);
    if (e.status != 404 || code != ErrorCode::kUnknownType)
      return Fail("an unknown type answered HTTP " + std::to_string(e.status) + " " + e.body.substr(0, 200) +
                  ", expected 404 with code UnknownType");
    return Pass("404 UnknownType: " + ParseErrorBody(e.body)->message);
  }

  // A head announcing `length` body bytes, of which at most half (and at most 2 MiB) is sent, slowly: only a
  // server that decides from the head answers before the whole body is there.
  Verdict RefusedFromHead(const std::string& authorization, uint64_t length, int expected) {
    const std::string head =
        "POST /v1/resources/peering HTTP/1.1\r\nHost: " + raw_.host + ":" + std::to_string(raw_.port) +
        "\r\nAuthorization: " + authorization +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
    const uint64_t budget = std::min<uint64_t>(length / 2, 2 << 20);
    auto reply = internal::StatusForHead(raw_, head, budget, Clock::now() + options_.deadline);
    if (!reply.ok())
      return Fail("no answer within " + std::to_string(options_.deadline.count()) +
                  " ms to a head announcing " + std::to_string(length) + " bytes of body (" +
                  reply.status().message() + "): refuse from the head, before reading the body");
    if (reply->status != expected)
      return Fail("HTTP " + std::to_string(reply->status) + ", expected " + std::to_string(expected));
    return Pass("HTTP " + std::to_string(expected) + " after " +
                std::to_string(reply->body_bytes_sent >> 10) + " KiB of the " + std::to_string(length >> 10) +
                " KiB announced");
  }

  Verdict ErrorsCarryCode() {
    if (!bad_refusals_.empty()) {
      std::string which;
      for (const std::string& r : bad_refusals_) which += (which.empty() ? "" : "; ") + r;
      return Fail("refusals without {\"error\": {\"code\", \"message\"}} of a known code: " + which);
    }
    if (good_refusals_ == 0) return Fail("not run: no refusal was seen");
    return Pass(std::to_string(good_refusals_) + " refusals, each with a known code and a message");
  }

  const ConformanceOptions& options_;
  std::unique_ptr<web::http::client::http_client> client_;
  internal::RawTarget raw_;
  std::string setup_error_;
  std::string created_;
  std::vector<std::string> leftovers_;  // deleted at the end whatever the rules said
  std::vector<std::string> bad_refusals_;
  int good_refusals_ = 0;
};

}  // namespace

std::vector<RuleResult> RunConformance(const ConformanceOptions& options) {
  try {
    return Kit(options).Run();
  } catch (const std::exception& e) {  // a URL cpprest cannot parse
    return {{"setup", false, std::string("cannot reach ") + options.url + ": " + e.what(), 0}};
  }
}

std::string RenderConformance(const std::vector<RuleResult>& results) {
  std::ostringstream out;
  int failed = 0;
  out << std::left << std::setw(26) << "RULE" << std::setw(7) << "RESULT" << std::right << std::setw(8)
      << "TIME"
      << "  DETAIL\n";
  for (const RuleResult& r : results) {
    failed += r.passed ? 0 : 1;
    out << std::left << std::setw(26) << r.rule << std::setw(7) << (r.passed ? "pass" : "FAIL") << std::right
        << std::setw(5) << r.ms << " ms  " << r.detail << "\n";
  }
  out << (failed == 0 ? "all " + std::to_string(results.size()) + " rules passed"
                      : std::to_string(failed) + " of " + std::to_string(results.size()) + " rules failed")
      << "\n";
  return out.str();
}

}  // namespace cdr::providers::http
