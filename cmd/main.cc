// cdr: declarative cloud disaster recovery. Argument parsing and wiring only; each subcommand's work is a
// Run function (commands.h) and the real work is in reconcile/.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "cmd/cmd_local.h"
#include "cmd/cmd_provider.h"
#include "cmd/command_examples.h"
#include "common/duration_text.h"
#include "cmd/commands.h"

namespace cdr::cmd {
namespace {

// Terraform users type `-out=plan.json` and `-detailed-exitcode`; CLI11 wants two dashes for long names.
std::vector<std::string> TerraformStyleArgs(int argc, char** argv) {
  std::vector<std::string> args;
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") options_done = true;
    if (!options_done && a.size() > 2 && a[0] == '-' && std::isalpha(static_cast<unsigned char>(a[1])) &&
        std::isalpha(static_cast<unsigned char>(a[2]))) {
      a = "-" + a;
    }
    args.push_back(std::move(a));
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments reversed
  return args;
}

struct Cli {
  GlobalOptions g;
  PlanOptions plan;
  ApplyCommandOptions apply;
  DriftOptions drift;
  StatusOptions status;
  VerifyOptions verify;
  ServeOptions serve;
  RecoveryPointsOptions recovery_points;
  JobsOptions jobs;
  HistoryOptions history;
  std::string lock_id;
  std::string state_file;
  StateMigrateOptions state_migrate;
  LocalOptions local;
  ProviderServeOptions provider_serve;
  ProviderTestOptions provider_test;
  bool version_json = false;
  bool show_json = false;
  std::string show_plan_file;
  std::string state_address;
  FmtOptions fmt;
  StateResourcesOptions state_resources;
  int exit_code = kExitOk;
};

void Bind(CLI::App* sub, Cli& cli, std::function<int()> run) {
  sub->callback([&cli, run = std::move(run)] { cli.exit_code = run(); });
}

void AddLocalCommands(CLI::App& app, Cli& cli) {
  LocalOptions& o = cli.local;
  auto* local = app.add_subcommand(
      "local", "the embedded local cloud (zones az1/az2, hosts, disks, agent and shadow host processes)");
  local->require_subcommand(1);
  local->fallthrough();
  local->add_option("--root", o.root, "where the local cloud lives")->capture_default_str();

  auto* init = local->add_subcommand("init", "create the local cloud with N production hosts (ext4 disks)");
  init->add_option("--hosts", o.init.hosts, "production hosts host-1 … host-N")
      ->check(CLI::Range(0, 200))
      ->capture_default_str();
  init->add_option("--disk-size-mib", o.disk_size_mib, "size of each host's sparse disk")
      ->check(CLI::Range(8, 1 << 20))
      ->capture_default_str();
  init->add_option("--op-delay-ms", o.init.op_delay_ms, "simulated cloud API latency of every mutating call")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  Bind(init, cli, [&o] { return RunLocalInit(o); });

  auto* add = local->add_subcommand("add-host", "add one host (to try the vCPU/memory/filesystem/VPC rules)");
  add->add_option("id", o.host.id, "host id")->required();
  add->add_option("--zone", o.host.zone, "zone")->capture_default_str();
  add->add_option("--vpc", o.host.vpc, "VPC")->capture_default_str();
  add->add_option("--flavor", o.host.flavor, "c1m2, c2m4, c4m8 or c8m16")->capture_default_str();
  add->add_option("--fs", o.host.filesystem, "filesystem of its disk (ext4 is formatted; others are left raw)")
      ->capture_default_str();
  add->add_option("--disk-size-mib", o.disk_size_mib, "disk size")->check(CLI::Range(8, 1 << 20))->capture_default_str();
  Bind(add, cli, [&o] { return RunLocalAddHost(o); });

  auto* del = local->add_subcommand("delete-host", "delete a host as the cloud console would (out of band)");
  del->add_option("id", o.host_id, "host id")->required();
  Bind(del, cli, [&o] { return RunLocalDeleteHost(o); });

  auto* revoke = local->add_subcommand(
      "revoke", "revoke the TLS certificates a host's agent or a shadow host holds now (ROOT/pki/ca-crl.pem)");
  revoke->add_option("id", o.host_id, "host or shadow host id")->required();
  Bind(revoke, cli, [&o] { return RunLocalRevoke(o); });

  Bind(local->add_subcommand("hosts", "list the hosts (with their agent's status) and the shadow hosts"), cli,
       [&o] { return RunLocalHosts(o); });
  Bind(local->add_subcommand("down", "stop every agent and shadow process (records and replicas stay)"), cli,
       [&o] { return RunLocalDown(o); });
  Bind(local->add_subcommand("up", "start every agent and shadow host process that is not running"), cli,
       [&o] { return RunLocalUp(o); });
}

void AddProviderCommands(CLI::App& app, Cli& cli) {
  auto* provider = app.add_subcommand(
      "provider", "providers as programs of their own: serve one over the provider protocol, or test one");
  provider->require_subcommand(1);

  ProviderServeOptions& s = cli.provider_serve;
  auto* serve = provider->add_subcommand("serve", "serve a provider over the provider protocol (HTTP/JSON, /v1)");
  serve->add_option("provider", s.provider, "what to serve: local")->capture_default_str();
  serve->add_option("--listen", s.listen, "HOST:PORT (an IPv4 address)")->capture_default_str();
  serve->add_option("--token-file", s.token_file, "the bearer token every request needs (made 0600 when absent)")
      ->capture_default_str();
  serve->add_option("--tls-dir", s.tls_dir,
                    "serve HTTPS with server-cert.pem, server-key.pem and the estate's ca-cert.pem; clients must "
                    "present a certificate of that CA naming cdr");
  serve->add_option("--root", s.root, "the local cloud")->capture_default_str();
  serve
      ->add_option("--max-in-flight", s.max_in_flight,
                   "requests served at once; one more is refused with 503 Unavailable and Retry-After: 1")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_flag("--insecure", s.insecure,
                  "the agents and shadow hosts the local cloud starts replicate over plain TCP (the spec's "
                  "insecure = true)");
  Bind(serve, cli, [&s] { return RunProviderServe(s); });

  ProviderTestOptions& t = cli.provider_test;
  auto* test = provider->add_subcommand(
      "test", "run the provider protocol's contract against a provider; a pass/fail table, exit 1 on any failure");
  test->add_option("url", t.url, "the provider: http://HOST:PORT or https://HOST:PORT")->required();
  test->add_option("--token-file", t.token_file, "the provider's bearer token");
  test->add_option("--tls-dir", t.tls_dir, "https: cdr's client-cert.pem, client-key.pem and the CA's ca-cert.pem");
  test->add_option("--timeout", t.timeout_seconds, "seconds each exchange may take")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  test->add_option("--vpc", t.vpc, "the VPC of the peering the kit creates")->capture_default_str();
  test->add_option("--production-zone", t.production_zone, "its production zone")->capture_default_str();
  test->add_option("--dr-zone", t.dr_zone, "its DR zone")->capture_default_str();
  Bind(test, cli, [&t] { return RunProviderTest(t); });
}

void AddCommands(CLI::App& app, Cli& cli) {
  Bind(app.add_subcommand("validate", "check the spec: every problem with file:line:column; exit 1 on any"), cli,
       [&cli] { return RunValidate(cli.g); });

  auto* plan = app.add_subcommand("plan", "show what apply would change (refresh, then diff spec vs state)");
  plan->add_option("-o,--out", cli.plan.out, "save the plan to FILE for `cdr apply FILE`");
  plan->add_flag("--json", cli.plan.json, "print the plan as JSON (docs/plan-format.md)");
  plan->add_flag("--detailed-exitcode", cli.plan.detailed_exitcode,
                 "exit 0 with no changes, 1 on error, 2 when there are changes");
  plan->add_option("--target", cli.plan.targets,
                   "plan only this address and what is under it (repeatable); for recovering from mistakes")
      ->type_name("ADDRESS")
      ->allow_extra_args(false);
  plan->add_option("--refresh", cli.plan.refresh,
                   "false: plan from the state as recorded, without asking the provider or the agents")
      ->type_name("BOOL")
      ->default_str("true");
  plan->add_flag("--refresh-only", cli.plan.refresh_only,
                 "show only what changed outside cdr (drift, servers whose agents moved by themselves)");
  Bind(plan, cli, [&cli] { return RunPlan(cli.g, cli.plan); });

  auto* apply = app.add_subcommand("apply", "make the protection setup match the spec (or carry out a saved plan)");
  apply->add_option("plan", cli.apply.plan_file, "a plan saved by `cdr plan -out FILE`; refused when stale");
  apply->add_flag("--auto-approve", cli.apply.auto_approve, "do not ask for confirmation");
  apply->add_flag("--allow-rollback", cli.apply.allow_rollback,
                  "apply a git plan whose commit does not descend from the last applied commit");
  apply->add_flag("--no-wait", cli.apply.no_wait,
                  "do not wait for replication transitions (start → realtime, stop → stopped); return once the "
                  "agents accepted the commands");
  apply->add_option("--wait-timeout", cli.apply.wait_timeout_seconds,
                    "seconds to wait for one replication transition before the step fails (the agent goes on)")
      ->check(CLI::Range(1, 7 * 24 * 3600))
      ->capture_default_str();
  apply->add_option("--target", cli.apply.targets, "apply only this address and what is under it (repeatable)")
      ->type_name("ADDRESS")
      ->allow_extra_args(false);
  apply->add_option("--refresh", cli.apply.refresh,
                    "false: plan from the state as recorded, without asking the provider or the agents")
      ->type_name("BOOL")
      ->default_str("true");
  apply->add_flag("--refresh-only", cli.apply.refresh_only,
                  "record in the state what the agents report now; change nothing else");
  apply->add_option("--parallelism", cli.apply.parallelism,
                    "how many steps run at once; steps of different servers and groups are independent")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  Bind(apply, cli, [&cli] { return RunApply(cli.g, cli.apply); });

  auto* drift = app.add_subcommand("drift", "what differs between spec, state and cloud (out-of-band changes, unhealthy servers, unapplied spec); exit 2 on drift");
  auto* json = drift->add_flag("--json", cli.drift.json, "JSON report (docs/drift-format.md)");
  drift->add_flag("--markdown", cli.drift.markdown, "markdown report")->excludes(json);
  drift->add_option("--write-to-branch", cli.drift.write_to_branch,
                    "commit drift-report.md and drift-report.json to this branch of the spec's git repository");
  Bind(drift, cli, [&cli] { return RunDrift(cli.g, cli.drift); });

  auto* status = app.add_subcommand("status", "group overview: servers by health, and each server's state");
  auto* status_json = status->add_flag("--json", cli.status.json, "print as JSON");
  status->add_flag("--watch", cli.status.watch, "redraw every --interval seconds until Ctrl-C")->excludes(status_json);
  status->add_option("--interval", cli.status.interval_seconds, "seconds between two frames of --watch")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  status->add_option("--count", cli.status.count, "with --watch: stop after this many frames (0: until Ctrl-C)")
      ->check(CLI::Range(0, 1000000));
  Bind(status, cli, [&cli] { return RunStatus(cli.g, cli.status); });

  auto* verify = app.add_subcommand(
      "verify", "online verify now: compare each server's disks with their replicas while they run; exit 2 if one "
                "differs (its repair starts)");
  verify->add_option("address", cli.verify.addresses, "servers or groups (group.NAME[.server.NAME]); default all")
      ->allow_extra_args(false);
  verify->add_option("--bytes", cli.verify.bytes,
                     "compare this many bytes of each disk from its rolling cursor (default: the whole disk)");
  verify->add_flag("--json", cli.verify.json, "print as JSON");
  verify->add_option("--timeout", cli.verify.timeout_seconds, "seconds to wait for the rounds")
      ->check(CLI::Range(1, 7 * 24 * 3600))
      ->capture_default_str();
  Bind(verify, cli, [&cli] { return RunVerify(cli.g, cli.verify); });

  auto* serve = app.add_subcommand(
      "serve", "the console: observe every server on an interval, one Prometheus /metrics, a read-only web page");
  serve->add_option("--listen", cli.serve.listen, "HOST:PORT (an IPv4 address)")->capture_default_str();
  serve->add_option("--token-file", cli.serve.token_file,
                    "the token every request needs (made 0600 on first start); default: console-token beside the "
                    "state file");
  serve->add_option("--interval", cli.serve.interval_seconds, "seconds between two observations")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve->add_option("--retention-hours", cli.serve.retention_hours, "how long RPO samples are kept")
      ->check(CLI::Range(1, 24 * 90))
      ->capture_default_str();
  Bind(serve, cli, [&cli] { return RunServe(cli.g, cli.serve); });

  auto* points = app.add_subcommand(
      "recovery-points",
      "recovery points (id, time, kind, size) and the any-point-in-time window of a server, or a group's common ones");
  points->add_option("target", cli.recovery_points.target,
                     "GROUP/SERVER, or GROUP: the points every server of the group has (group-consistent)")
      ->required();
  points->add_flag("--json", cli.recovery_points.json, "print as JSON");
  points->add_flag("--take", cli.recovery_points.take,
                   "take a manual point now, at the same instant on every server named (group-consistent)");
  points->add_option("--wait", cli.recovery_points.wait_seconds, "with --take: how long to wait for it (seconds)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  Bind(points, cli, [&cli] { return RunRecoveryPoints(cli.g, cli.recovery_points); });

  auto* jobs = app.add_subcommand("jobs", "the task list: every apply step with its status and progress");
  jobs->add_option("-n,--limit", cli.jobs.limit, "how many of the newest jobs")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  jobs->add_flag("--events", cli.jobs.events, "also show each job's state transitions");
  jobs->add_flag("--json", cli.jobs.json, "print as JSON (with events)");
  Bind(jobs, cli, [&cli] { return RunJobs(cli.g, cli.jobs); });

  auto* history = app.add_subcommand("history", "what was applied when, from which commit, by whom");
  history->add_option("-n,--limit", cli.history.limit, "how many of the newest applies")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  history->add_flag("--json", cli.history.json, "print as JSON");
  Bind(history, cli, [&cli] { return RunHistory(cli.g, cli.history); });

  auto* unlock = app.add_subcommand("force-unlock", "remove the state lock left by a process that is gone");
  unlock->add_option("lock_id", cli.lock_id, "the lock id printed by the refused command")->required();
  Bind(unlock, cli, [&cli] { return RunForceUnlock(cli.g, cli.lock_id); });

  auto* lock = app.add_subcommand("lock", "show who holds the state lock (also: cdr lock list)");
  lock->require_subcommand(0, 1);
  Bind(lock->add_subcommand("list", "list the state lock with its holder, age, expiry and liveness"), cli,
       [&cli] { return RunShowLock(cli.g); });
  lock->callback([&cli, lock] {
    if (lock->get_subcommands().empty()) cli.exit_code = RunShowLock(cli.g);
  });

  auto* state = app.add_subcommand("state", "list, show or remove resources of the state; back it up, restore it or migrate it");
  state->require_subcommand(1);
  auto* backup =
      state->add_subcommand("backup", "copy the state to FILE (checked, consistent while cdr runs)");
  backup->add_option("file", cli.state_file, "where the copy goes")->required();
  Bind(backup, cli, [&cli] { return RunStateBackup(cli.g, cli.state_file); });
  auto* restore =
      state->add_subcommand("restore", "replace the state with FILE (refused while the lock is held)");
  restore->add_option("file", cli.state_file, "a copy made by cdr state backup")->required();
  Bind(restore, cli, [&cli] { return RunStateRestore(cli.g, cli.state_file); });
  auto* migrate = state->add_subcommand(
      "migrate", "copy the estate to another state location (SQLite file <-> postgres:// URL) without loss");
  migrate->add_option("--from", cli.state_migrate.from, "the state to copy (default: --state)")->type_name("LOCATION");
  migrate->add_option("--to", cli.state_migrate.to, "where the copy goes (must be empty unless --force)")
      ->type_name("LOCATION")
      ->required();
  migrate->add_flag("--force", cli.state_migrate.force, "replace what the destination holds");
  Bind(migrate, cli, [&cli] { return RunStateMigrate(cli.g, cli.state_migrate); });
  auto* list = state->add_subcommand("list", "every resource the state records: address, kind, status");
  list->add_option("addresses", cli.state_resources.addresses, "only these addresses and what is under them");
  list->add_flag("--json", cli.state_resources.json, "print as JSON, with attributes");
  Bind(list, cli, [&cli] { return RunStateList(cli.g, cli.state_resources); });
  auto* show = state->add_subcommand("show", "one resource with its attributes (JSON)");
  show->add_option("address", cli.state_address, "e.g. group.web-prod.server.web-1")->required();
  Bind(show, cli, [&cli] { return RunStateShow(cli.g, cli.state_address); });
  auto* rm = state->add_subcommand(
      "rm", "forget resources (and what is under them) without touching the cloud; the state is backed up first");
  rm->add_option("addresses", cli.state_resources.addresses, "e.g. group.web-prod.server.web-1")->required();
  rm->add_flag("--dry-run", cli.state_resources.dry_run, "only list what would be removed");
  Bind(rm, cli, [&cli] { return RunStateRm(cli.g, cli.state_resources); });

  auto* show_plan = app.add_subcommand("show", "a saved plan as `cdr plan` printed it, or the state without FILE");
  show_plan->add_option("plan", cli.show_plan_file, "a plan saved by `cdr plan -out FILE`");
  show_plan->add_flag("--json", cli.show_json, "the plan (or the state) as JSON");
  Bind(show_plan, cli, [&cli] { return RunShow(cli.g, cli.show_plan_file, cli.show_json); });

  auto* fmt = app.add_subcommand("fmt", "rewrite spec files in the canonical layout (comments and values kept)");
  fmt->add_option("paths", cli.fmt.paths, "spec files or directories (default: the spec path)");
  fmt->add_flag("--check", cli.fmt.check, "only list the files that are not formatted; exit 3 if any (CI)");
  Bind(fmt, cli, [&cli] { return RunFmt(cli.g, cli.fmt); });

  auto* version = app.add_subcommand("version", "the cdr release and the plan format version");
  version->add_flag("--json", cli.version_json, "print as JSON");
  Bind(version, cli, [&cli] { return RunVersion(cli.version_json); });

  AddLocalCommands(app, cli);
  AddProviderCommands(app, cli);
}

// `cdr frobnicate` (or `cdr` alone) names what was typed and the commands there are, instead of CLI11's "A
// subcommand is required". Returns false when the error is about something else.
bool ReportMissingCommand(const CLI::App& app) {
  if (!app.get_subcommands().empty()) return false;
  std::string names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names += (names.empty() ? "" : ", ") + sub->get_name();
  const std::string what =
      app.remaining().empty() ? "no command given" : "unknown command \"" + app.remaining().front() + "\"";
  std::cerr << "Error: " << what << ". The commands are: " << names
            << ".\nRun `cdr --help` for what each does, `cdr COMMAND --help` for its options.\n";
  return true;
}

// Each command's --help ends with the global options (they may also follow the command) and its examples.
void AddHelpFooters(CLI::App& app) {
  std::string global = "\nGlobal options (before or after the command):\n";
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_name() == "--help") continue;
    std::string name = o->get_name(false, true);
    if (!o->get_type_name().empty() && o->get_expected_min() > 0) name += " " + o->get_type_name();
    global += "  " + name + std::string(name.size() < 28 ? 28 - name.size() : 1, ' ') + o->get_description() + "\n";
  }
  std::function<void(CLI::App*, const std::string&)> add = [&](CLI::App* sub, const std::string& path) {
    const std::string_view examples = ExamplesFor(path);
    sub->footer(global + (examples.empty() ? "" : "\nExamples:\n" + std::string(examples)));
    for (CLI::App* child : sub->get_subcommands([](const CLI::App*) { return true; }))
      add(child, path + " " + child->get_name());
  };
  for (CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) add(sub, sub->get_name());
}

}  // namespace
}  // namespace cdr::cmd

int main(int argc, char** argv) {
  cdr::cmd::Cli cli;
  CLI::App app{"cdr: cloud disaster recovery with continuous data protection, driven by a TOML spec", "cdr"};
  app.require_subcommand(1);
  app.fallthrough();  // `cdr validate --spec x` as well as `cdr --spec x validate`
  app.add_option("--spec", cli.g.spec_path,
                 "spec file or directory of *.toml (default: specs/ if present, else cdr.toml)")
      ->type_name("PATH");
  app.add_option("--state", cli.g.state_path, "state file (SQLite), or postgres://… URL of a shared database")
      ->type_name("LOCATION")
      ->capture_default_str();
  app.set_version_flag("--version", std::string("cdr v") + cdr::cmd::CdrVersion(), "print the cdr release and exit");
  app.add_option_function<std::string>(
         "--lock-timeout",
         [&cli](const std::string& text) {
           auto d = cdr::ParseDuration(text);
           if (!d.ok()) throw CLI::ValidationError("--lock-timeout", d.status().message());
           cli.g.lock_timeout = *d;
         },
         "wait this long for a state lock held by another command (30s, 5m; default 0: refused at once)")
      ->type_name("DURATION");
  app.add_flag("-v,--verbose", cli.g.verbose, "log every state transition and provider call");
  auto* git = app.add_option("--git", cli.g.git_repository,
                             "read the spec from a commit of this git repository (work tree or bare), no checkout")
                 ->type_name("REPO");
  app.add_option("--ref", cli.g.git_ref, "with --git: branch, tag or commit to read")
      ->type_name("REF")
      ->needs(git)
      ->capture_default_str();
  app.add_option("--path", cli.g.git_path, "with --git: the spec file or directory inside the commit")
      ->type_name("PATH")
      ->needs(git);
  cdr::cmd::AddCommands(app, cli);
  cdr::cmd::AddHelpFooters(app);
  app.parse_complete_callback([&cli] {
    spdlog::set_default_logger(spdlog::stderr_color_mt("cdr"));
    spdlog::set_pattern("%^%l%$ %v");
    spdlog::set_level(cli.g.verbose ? spdlog::level::debug : spdlog::level::warn);
  });
  try {
    auto args = cdr::cmd::TerraformStyleArgs(argc, argv);
    app.parse(args);
  } catch (const CLI::RequiredError& e) {
    if (cdr::cmd::ReportMissingCommand(app)) return cdr::cmd::kExitError;
    return app.exit(e) == 0 ? cdr::cmd::kExitOk : cdr::cmd::kExitError;
  } catch (const CLI::ParseError& e) {
    // --help exits 0; every usage error is exit 1, like any other error (2 means "changes present").
    return app.exit(e) == 0 ? cdr::cmd::kExitOk : cdr::cmd::kExitError;
  }
  return cli.exit_code;
}
