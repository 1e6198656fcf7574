// The agent control API's request and status bodies (agent/api/control_json.h): whatever JSON arrives, the
// decoders answer with a value or an error naming the field, never an exception or a crash.
#include <nlohmann/json.hpp>

#include "agent/api/control_json.h"
#include "fuzz/fuzz_target.h"

namespace {

int FuzzControlJson(const uint8_t* data, size_t size) {
  const nlohmann::json doc = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  (void)cdr::agent::api::ReplicationTargetFromJson(doc);
  (void)cdr::agent::api::AgentStatusFromJson(doc);
  (void)cdr::agent::api::DiskReplicationStatusFromJson(doc);
  if (doc.is_object()) {
    for (const auto& [key, value] : doc.items()) (void)cdr::agent::api::ValidateHostPort(key, value.is_string() ? value.get<std::string>() : key);
  }
  return 0;
}

}  // namespace

CDR_FUZZ_TARGET("control_json", FuzzControlJson)
