#include "cmd/command_examples.h"

#include <array>
#include <utility>

namespace cdr::cmd {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 22> kExamples = {{
    {"validate", "  cdr validate                          # the spec in specs/ (or cdr.toml)\n"
                 "  cdr validate --spec other/specs       # another directory or file\n"},
    {"plan", "  cdr plan                              # what apply would do\n"
             "  cdr plan -out=tfplan                  # save it for `cdr apply tfplan`\n"
             "  cdr plan -detailed-exitcode           # CI: exit 2 when there are changes\n"
             "  cdr plan -refresh-only                # only what changed outside cdr\n"
             "  cdr plan --git repo.git --ref main --path specs -out=tfplan\n"},
    {"apply", "  cdr apply                             # plan, ask on the terminal, apply\n"
              "  cdr apply tfplan                      # exactly a saved plan (refused when stale)\n"
              "  cdr apply -auto-approve               # CI without a saved plan\n"
              "  cdr apply -refresh-only               # record what the agents report, change nothing\n"
              "  cdr apply -parallelism=1              # one step at a time, in the plan's order\n"},
    {"drift", "  cdr drift                             # exit 2 on drift\n"
              "  cdr drift --markdown --git repo.git --ref main --path specs --write-to-branch cdr-drift-reports\n"},
    {"status", "  cdr status                            # live: every group and server\n"
               "  cdr status --watch --interval 2       # redrawn until Ctrl-C\n"
               "  cdr status --json | jq '.groups[].servers[] | {name, health, rpo_seconds}'\n"},
    {"verify", "  cdr verify                            # every server's whole disks, now\n"
               "  cdr verify group.web-prod.server.web-1 --bytes 1073741824\n"},
    {"serve", "  cdr serve --listen 127.0.0.1:8080     # console and /metrics\n"},
    {"recovery-points", "  cdr recovery-points web-prod/web-1    # one server's points and window\n"
                        "  cdr recovery-points web-prod          # the group's common points\n"
                        "  cdr recovery-points web-prod --take   # a manual group-consistent point now\n"},
    {"jobs", "  cdr jobs --events -n 5\n"},
    {"history", "  cdr history -n 10\n"},
    {"force-unlock", "  cdr force-unlock 3f2a…               # the id a refused command printed\n"},
    {"lock", "  cdr lock                              # who holds the state lock\n"},
    {"state", "  cdr state list\n"
              "  cdr state show group.web-prod.server.web-1\n"
              "  cdr state rm --dry-run group.old-prod    # what would be forgotten\n"
              "  cdr state backup backups/state-$(date +%F).db\n"
              "  cdr state restore backups/state-2026-12-06.db\n"},
    {"show", "  cdr show tfplan                       # review a saved plan\n"
             "  cdr show -json tfplan | jq '[.resource_changes[] | select(.change.actions == [\"delete\"])] | length'\n"},
    {"version", "  cdr version -json\n"},
    {"fmt", "  cdr fmt                               # rewrite specs/*.toml (or cdr.toml) in place\n"
            "  cdr fmt -check                        # CI: list unformatted files, exit 3 if any\n"},
    {"local", "  cdr local init --hosts 3              # the embedded cloud in .cdr/cloud\n"
              "  cdr local hosts                       # hosts, agents and shadow hosts\n"
              "  cdr local down && cdr local up        # stop and start every process\n"},
    {"local init", "  cdr local init --hosts 3 --disk-size-mib 64\n"},
    {"local add-host", "  cdr local add-host host-9 --zone az1 --flavor c4m8\n"},
    {"provider", "  cdr provider serve local --listen 127.0.0.1:7070   # the local cloud as a provider program\n"
                 "  cdr provider test http://127.0.0.1:7070 --token-file .cdr/provider-token\n"},
    {"provider serve", "  cdr provider serve local --listen 127.0.0.1:7070 --token-file .cdr/provider-token\n"},
    {"provider test",
     "  cdr provider test http://127.0.0.1:7070 --token-file .cdr/provider-token  # exit 1: a rule failed\n"},
}};

}  // namespace

std::string_view ExamplesFor(std::string_view command) {
  for (const auto& [name, examples] : kExamples)
    if (name == command) return examples;
  return {};
}

}  // namespace cdr::cmd
