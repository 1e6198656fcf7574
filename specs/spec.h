// The desired state as plain values, parsed from TOML by LoadSpec (specs/load_spec.h).
// Every value remembers where it was written so later checks (plan-time host facts) can point at it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cdr::specs {

struct SourcePos {
  std::string file;  // as given to LoadSpec, e.g. "specs/web.toml"
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based
};

// One problem found in the spec. `path` is the key path, e.g. "group[0].server[1].recovery_points.keep"
// (also written as group.web-prod.server.web-1.recovery_points.keep once names are known).
struct Diagnostic {
  SourcePos pos;
  std::string path;
  std::string message;
};

// "specs/web.toml:12:1: group.web-prod.server.web-1.recovery_points.keep: must be between 1 and 1000"
std::string FormatDiagnostic(const Diagnostic& d);

enum class Replication { kRunning, kStopped };
const char* ReplicationName(Replication r);

struct RecoveryPointPolicy {
  int every_hours = 1;  // 1..24
  int keep = 24;        // 1..1000
};

struct ProviderSpec {
  std::string type = "local";  // only "local" exists so far
  std::string root = ".cdr/cloud";
  SourcePos pos;
};

struct ServerSpec {
  std::string name;  // DR host naming rules: 2–15 chars, [A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]
  std::string host;  // the provider's host id
  Replication replication = Replication::kRunning;
  std::string dr_disk_type = "ssd";  // sata | sas | ssd
  bool auto_restart = true;
  RecoveryPointPolicy recovery_points;
  SourcePos pos;       // position of the [[group.server]] table header
  SourcePos host_pos;  // position of the `host` value
  SourcePos name_pos;  // position of the `name` value (the header when absent)
};

struct GroupSpec {
  std::string name;  // 2–63 chars, [A-Za-z][A-Za-z0-9_-]*
  std::optional<std::string> renamed_from;  // rename in place: the group's previous name
  std::string production_zone;
  std::string dr_zone;
  std::string vpc;
  int rpo_alert_seconds = 30;  // 1..86400
  std::vector<ServerSpec> servers;
  SourcePos pos;               // position of the [[group]] table header
  SourcePos name_pos;          // position of the `name` value (the header when absent)
  SourcePos renamed_from_pos;  // position of the `renamed_from` value (line 0 when absent)
};

struct QuotaSpec {
  int agents = 20;  // default 20, settable up to 200 (per tenant per region)
  SourcePos pos;
};

struct Spec {
  ProviderSpec provider;
  QuotaSpec quota;
  std::vector<GroupSpec> groups;
  std::vector<std::string> files;  // the files read, in the order read
  std::string digest;              // sha256 over file names and contents, in order
};

}  // namespace cdr::specs
