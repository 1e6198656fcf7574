// The desired state as plain values, parsed from TOML by LoadSpec (specs/load_spec.h).
// Every value remembers where it was written so later checks (plan-time host facts) can point at it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "specs/provider_type.h"

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

struct Spec;
// What a valid spec asks for that weakens the estate (today: [provider] insecure = true), for validate and
// plan to print as warnings.
std::vector<Diagnostic> SpecWarnings(const Spec& spec);

enum class Replication { kRunning, kStopped };
const char* ReplicationName(Replication r);  // "running", "stopped": the spec's, the state's and the plan's
std::optional<Replication> ParseReplication(std::string_view name);

struct RecoveryPointPolicy {
  int every_hours = 1;    // 1..24
  int every_seconds = 0;  // 0, or 10..86400: a short interval instead of every_hours (tests, demos)
  int keep = 24;          // 1..1000
  SourcePos pos;          // the recovery_points value (line 0 when absent)
  // every_seconds when set, else every_hours in seconds.
  int IntervalSeconds() const { return every_seconds > 0 ? every_seconds : every_hours * 3600; }
};

// Which point a DR host's disks are materialized at.
struct RecoveryPointChoice {
  enum class Kind { kLatest, kTime, kId };
  Kind kind = Kind::kLatest;
  // As written: "latest", an RFC 3339 time, or a recovery point id ("rp-..."); a time written as a bare TOML
  // date-time comes back in its RFC 3339 form. For kTime, time_ns is the authority (offsets differ in text).
  std::string text = "latest";
  int64_t time_ns = 0;  // kTime: the time as nanoseconds since the epoch (UTC)
  SourcePos pos;        // the recovery_point value (the table header when absent)
};

// How a drill checks the disk it brought up (optional).
struct DrillVerify {
  enum class Kind { kNone, kChecksum, kFsck, kCommand };
  Kind kind = Kind::kNone;
  // kCommand: the text after "command:", trimmed; run with CDR_DISK=<path of the materialized disk image>,
  // exit 0 = pass.
  std::string command;
  SourcePos pos;  // the verify value (line 0 when absent)
};

// The DR host parameters shared by [group.server.drill] and [group.server.failover].
struct DrHostSpec {
  std::string name;  // DR host name: 2–15 chars, [A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]
  std::string flavor = "c2m4";
  std::string ip = "dhcp";  // "dhcp" or a manual IPv4 address
  std::string disk_type;    // sata | sas | ssd; empty = the server's dr_disk_type
  RecoveryPointChoice recovery_point;
  std::string eip;     // optional elastic IP to bind; empty = none
  SourcePos pos;       // the table header
  SourcePos name_pos;  // the name value (the table header when absent)
};

struct DrillSpec {
  DrHostSpec host;
  DrillVerify verify;
};

struct FailoverSpec {
  DrHostSpec host;
  bool confirm = false;  // true: failover_confirmed, the shadow host and all recovery points are deleted
  // Expanded from the group's [group.failover] (group_tables.h): host.recovery_point is the group's choice, which
  // the plan resolves to one point for every server; host.pos is the group table's header.
  bool from_group = false;
};

// [group.server.failback]: bring the service back from the DR host after a confirmed failover
// (docs/state-machine.md, failback), next to the confirmed failover table; the plan walks it from
// failover_confirmed (failback_transitions.h).
struct FailbackSpec {
  bool restore_to_original = true;  // true: the old production host gets the DR host's data; false: a new host
  // false: reverse replication runs (the DR host is protected towards production) and the failback itself waits
  // until it is true.
  bool cutover = true;
  // restore_to_original = false: the new production host, launched in the production zone with disks shaped like
  // the DR host's (the same launch fields as a failover's DR host). Its name is its host id from then on.
  std::string name;
  std::string flavor = "c2m4";
  std::string ip = "dhcp";
  SourcePos pos;       // the table header
  SourcePos name_pos;  // the name value (the table header when absent)
  bool from_group = false;  // expanded from the group's [group.failback]; pos is that table's header
};

// [group.failover]: every server of the group fails over at ONE group-consistent recovery point, in one plan
// (Zerto's VPG move). Expanded into each server's FailoverSpec by the loader (specs/internal/group_tables.h).
struct GroupFailoverSpec {
  // "latest": the newest point EVERY server of the group has; a point id (a group point `rp-…Z-gMMM`, or a
  // scheduled one all servers share); or a time, the same instant on every server.
  RecoveryPointChoice recovery_point;
  bool confirm = false;
  std::string name_suffix = "-dr";  // each server's DR host is named <server name><name_suffix>
  std::string flavor = "c2m4";
  std::string disk_type;  // empty = each server's dr_disk_type
  SourcePos pos;          // the table header
  SourcePos name_suffix_pos;
};

// [group.failback]: every server of the group comes home (after its confirmed failover). Expanded into each
// server's FailbackSpec by the loader.
struct GroupFailbackSpec {
  bool restore_to_original = true;
  bool cutover = true;
  // restore_to_original = false: each server's new production host is named <server name><name_suffix>.
  std::string name_suffix;
  std::string flavor = "c2m4";
  SourcePos pos;
  SourcePos name_suffix_pos;
};

struct ProviderSpec {
  ProviderType type = ProviderType::kLocal;  // local (embedded) | http (a provider program)
  std::string root = ".cdr/cloud";  // local
  std::string url;         // http: "http://127.0.0.1:7070" or "https://…"
  std::string token_file;  // http: the provider's bearer token (a 0600 file)
  std::string tls_dir;     // http with https://: cdr's client-cert.pem, client-key.pem and the CA's ca-cert.pem
  // true: agents and shadow hosts replicate over plain TCP, unauthenticated (validate and plan warn).
  // Default: TLS 1.3 with certificates of the estate's CA (docs/security.md).
  bool insecure = false;
  SourcePos pos;
  SourcePos insecure_pos;  // the `insecure` value (line 0 when absent)
};

// Settings of the server's cdr agent (docs/spec.md#agent-settings); each unset = not managed by cdr (the
// agent's own value, by default async, unlimited, 300 s, 1024 MiB). A change is applied to the running agent
// in place.
struct AgentSettingsSpec {
  std::optional<std::string> replication_mode;  // "async" | "sync"
  std::optional<int> replication_rate_mib;      // 0..100000 MiB/s, 0 = unlimited
  std::optional<int> outage_window_seconds;     // 10..86400
  std::optional<int> journal_max_mib;           // 64..1048576, per disk
};

struct ServerSpec {
  std::string name;  // DR host naming rules: 2–15 chars, [A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]
  std::string host;  // the provider's host id
  Replication replication = Replication::kRunning;
  std::string dr_disk_type = "ssd";  // sata | sas | ssd
  bool auto_restart = true;
  AgentSettingsSpec agent_settings;
  RecoveryPointPolicy recovery_points;
  std::optional<DrillSpec> drill;        // [group.server.drill]: present = a drill DR host exists
  std::optional<FailoverSpec> failover;  // [group.server.failover]: present = failed over
  std::optional<FailbackSpec> failback;  // [group.server.failback]: present = fail back (after a confirmed failover)
  // Rename in place: the server's previous name in its group. Agent, replication and recovery points stay.
  std::optional<std::string> renamed_from;
  SourcePos renamed_from_pos;            // position of the `renamed_from` value (line 0 when absent)
  // The agent release to run (docs/spec.md#agent_version); absent: whatever is installed. A change is an upgrade.
  std::optional<std::string> agent_version;
  SourcePos agent_version_pos;           // its value (the table header when absent)
  SourcePos pos;                         // position of the [[group.server]] table header
  SourcePos host_pos;                    // position of the `host` value
  SourcePos name_pos;                    // position of the `name` value (the header when absent)
};

struct GroupSpec {
  std::string name;                         // 2–63 chars, [A-Za-z][A-Za-z0-9_-]*
  std::optional<std::string> renamed_from;  // rename in place: the group's previous name
  std::string production_zone;
  std::string dr_zone;
  std::string vpc;
  int rpo_alert_seconds = 30;  // 1..86400
  std::vector<ServerSpec> servers;
  std::optional<GroupFailoverSpec> failover;  // [group.failover]: every server fails over at one point
  std::optional<GroupFailbackSpec> failback;  // [group.failback]: every server fails back
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
