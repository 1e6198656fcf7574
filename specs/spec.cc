#include "specs/spec.h"

#include "common/enum_names.h"

namespace cdr::specs {

std::string FormatDiagnostic(const Diagnostic& d) {
  std::string out = d.pos.file;
  if (d.pos.line > 0) out += ":" + std::to_string(d.pos.line) + ":" + std::to_string(d.pos.column);
  // Plan-time problems about resources only in the state have no position.
  if (!out.empty()) out += ": ";
  // File-level problems (unreadable file, TOML syntax) have no key path.
  if (!d.path.empty()) out += d.path + ": ";
  out += d.message;
  return out;
}

namespace {

constexpr EnumName<Replication> kReplicationNames[] = {
    {Replication::kRunning, "running"},
    {Replication::kStopped, "stopped"},
};

}  // namespace

const char* ReplicationName(Replication r) { return NameOf(kReplicationNames, r); }

std::optional<Replication> ParseReplication(std::string_view name) {
  return ParseName(kReplicationNames, name);
}

std::vector<Diagnostic> SpecWarnings(const Spec& spec) {
  std::vector<Diagnostic> warnings;
  if (spec.provider.insecure) {
    warnings.push_back(
        {spec.provider.insecure_pos, "provider.insecure",
         "replication runs over plain TCP without authentication or encryption: anyone who reaches a "
         "shadow host's port can write its replicas (remove `insecure = true` for TLS)"});
  }
  return warnings;
}

}  // namespace cdr::specs
