// `cdr provider test URL`: the provider protocol's contract (docs/provider-protocol.md) run against any
// provider program, so a cloud vendor can prove an adapter before an estate depends on it. Each rule is one
// observable promise; the kit makes a peering (the one type every provider must be able to create and delete
// cheaply) and removes it again. Every exchange has a deadline, so a provider that hangs fails its rule
// instead of hanging the kit.
//
//   schema                    GET /v1/schema: protocol version 1, a peering type with create, read, delete
//   create_idempotent         two creates with one client token → one resource (the same id), readable
//   list_by_ids               list with the filter {"ids": [it, a missing id]} → that resource alone
//   not_found_after_delete    delete → read is NotFound, a second delete is NotFound
//   unknown_type_named        a type the schema lacks → 404 UnknownType with a message
//   bad_token_before_body     a wrong token, a 1 MiB body announced and sent slowly → 401 before half is sent
//   oversized_body_refused    the right token, a 64 MiB body announced and sent slowly → 413 before 2 MiB
//                             are sent
//   errors_carry_code         every refusal above had {"error": {"code", "message"}} with a known code
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace cdr::providers::http {

struct ConformanceOptions {
  std::string url;
  std::string token;
  std::filesystem::path tls_dir;              // https: cdr's client certificate and the CA
  std::chrono::milliseconds deadline{10000};  // for each exchange
  // The peering the kit creates: zones and a VPC the provider accepts.
  std::string vpc = "vpc-conformance";
  std::string production_zone = "az1";
  std::string dr_zone = "az2";
};

struct RuleResult {
  std::string rule;
  bool passed = false;
  std::string detail;  // what was seen; for a failure, what the rule expected instead
  int64_t ms = 0;
};

std::vector<RuleResult> RunConformance(const ConformanceOptions& options);

// The pass/fail table `cdr provider test` prints.
std::string RenderConformance(const std::vector<RuleResult>& results);

}  // namespace cdr::providers::http
