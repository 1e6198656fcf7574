// One Run function per subcommand, with its options as a plain struct. main.cc maps the command line onto
// these (it is the only file that includes CLI11, which is slow to compile).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cmd/cli_context.h"
#include "providers/local/local_provider.h"

namespace cdr::cmd {

int RunValidate(const GlobalOptions& g);

struct PlanOptions {
  std::string out;
  bool json = false;
  bool detailed_exitcode = false;
  std::vector<std::string> targets;  // -target=ADDRESS, repeatable
  bool refresh = true;               // -refresh=false: plan from the state as recorded
  bool refresh_only = false;         // -refresh-only: only what changed outside cdr
};
int RunPlan(const GlobalOptions& g, const PlanOptions& o);

struct ApplyCommandOptions {
  std::string plan_file;
  bool auto_approve = false;
  bool allow_rollback = false;
  bool no_wait = false;            // return once agents accepted start/stop/repair
  int wait_timeout_seconds = 6 * 3600;  // how long to wait for one replication transition
  std::vector<std::string> targets;     // -target=ADDRESS (without a plan file)
  bool refresh = true;                  // -refresh=false: plan from the state as recorded
  bool refresh_only = false;            // -refresh-only: record what the agents report, change nothing else
  int parallelism = 10;                 // -parallelism=N: steps run at once (Terraform's default)
};
int RunApply(const GlobalOptions& g, const ApplyCommandOptions& o);

struct DriftOptions {
  bool json = false;
  bool markdown = false;
  std::string write_to_branch;  // commit the markdown and JSON reports to this branch
};
int RunDrift(const GlobalOptions& g, const DriftOptions& o);

struct StatusOptions {
  bool json = false;
  bool watch = false;        // redraw every interval_seconds until Ctrl-C
  int interval_seconds = 5;
  int count = 0;             // with watch: stop after this many frames (0: until Ctrl-C)
};
int RunStatus(const GlobalOptions& g, const StatusOptions& o);

struct VerifyOptions {
  std::vector<std::string> addresses;  // servers (or groups) to verify; empty: every server
  uint64_t bytes = 0;                  // of each disk from its rolling cursor; 0: the whole disk
  bool json = false;
  int timeout_seconds = 3600;          // how long to wait for the rounds
};
int RunVerify(const GlobalOptions& g, const VerifyOptions& o);

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT of the console and /metrics
  int interval_seconds = 15;              // between two observations of every server
  int retention_hours = 24;               // RPO samples older than this are dropped
  std::string token_file;                 // empty: console-token beside the state file (.cdr/ for PostgreSQL)
};
int RunServe(const GlobalOptions& g, const ServeOptions& o);

struct RecoveryPointsOptions {
  std::string target;  // GROUP/SERVER, or GROUP for the points every server of the group has
  bool json = false;
  bool take = false;   // take a (group-consistent) point now and wait until every shadow host has it
  int wait_seconds = 60;
};
int RunRecoveryPoints(const GlobalOptions& g, const RecoveryPointsOptions& o);

struct HistoryOptions {
  int limit = 20;
  bool json = false;
};
int RunHistory(const GlobalOptions& g, const HistoryOptions& o);

struct JobsOptions {
  int limit = 50;
  bool events = false;
  bool json = false;
};
int RunJobs(const GlobalOptions& g, const JobsOptions& o);

int RunForceUnlock(const GlobalOptions& g, const std::string& lock_id);
int RunShowLock(const GlobalOptions& g);

// `cdr state list [ADDRESS…]`, `cdr state show ADDRESS`, `cdr state rm ADDRESS…` (an address covers everything
// under it: `group.web-prod` includes its servers).
struct StateResourcesOptions {
  std::vector<std::string> addresses;
  bool json = false;
  bool dry_run = false;
};
int RunStateList(const GlobalOptions& g, const StateResourcesOptions& o);
int RunStateShow(const GlobalOptions& g, const std::string& address);
int RunStateRm(const GlobalOptions& g, const StateResourcesOptions& o);

// `cdr show [PLANFILE] [--json]`: a saved plan as `cdr plan` printed it (or its JSON); without a file, the state.
int RunShow(const GlobalOptions& g, const std::string& plan_file, bool json);

// `cdr fmt [-check] [PATH…]` (default: the spec path).
struct FmtOptions {
  std::vector<std::string> paths;
  bool check = false;
};
int RunFmt(const GlobalOptions& g, const FmtOptions& o);

// `cdr version [--json]`; CdrVersion() is the release (project(VERSION) in CMakeLists.txt).
const char* CdrVersion();
int RunVersion(bool json);

// `cdr state backup FILE` / `cdr state restore FILE` (docs/state.md, "Backup and restore").
int RunStateBackup(const GlobalOptions& g, const std::string& file);
int RunStateRestore(const GlobalOptions& g, const std::string& file);

// `cdr state migrate [--from LOCATION] --to LOCATION [--force]`: the estate copied between backends
// (docs/state.md, "Moving a state").
struct StateMigrateOptions {
  std::string from;  // empty: --state
  std::string to;
  bool force = false;  // replace a destination that is not empty
};
int RunStateMigrate(const GlobalOptions& g, const StateMigrateOptions& o);

struct LocalOptions {
  std::string root = ".cdr/cloud";
  providers::local::InitOptions init;
  int64_t disk_size_mib = 256;
  providers::local::HostTemplate host;
  std::string host_id;  // delete-host, revoke
};
int RunLocalInit(LocalOptions o);
int RunLocalAddHost(LocalOptions o);
int RunLocalDeleteHost(const LocalOptions& o);
int RunLocalHosts(const LocalOptions& o);
int RunLocalRevoke(const LocalOptions& o);

}  // namespace cdr::cmd
