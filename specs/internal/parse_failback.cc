#include "specs/internal/parse_failback.h"

#include <array>
#include <string_view>

#include "common/name_rules.h"
#include "specs/internal/ipv4_rules.h"
#include "specs/internal/toml_reader.h"

namespace cdr::specs::internal {
namespace {

constexpr std::array<std::string_view, 5> kFailbackKeys = {"restore_to_original", "cutover", "name", "flavor", "ip"};

// The new production host's launch fields (restore_to_original = false), checked as a failover's DR host's are.
void ParseNewHost(TableReader& r, FailbackSpec* failback) {
  failback->name_pos = r.ValuePos("name");
  if (std::optional<std::string> name = r.String("name", /*required=*/false)) {
    failback->name = *name;
    if (std::string problems = DrHostNameProblems(*name); !problems.empty()) {
      r.Report("name", "invalid host name `" + *name + "`: " + problems);
    }
  }
  if (std::optional<std::string> flavor = r.String("flavor", /*required=*/false)) failback->flavor = *flavor;
  if (std::optional<std::string> ip = r.String("ip", /*required=*/false)) {
    failback->ip = *ip;
    if (*ip != "dhcp") {
      if (std::string problems = Ipv4AddressProblems(*ip); !problems.empty()) {
        r.Report("ip", "must be `dhcp` or an IPv4 host address: `" + *ip + "` " + problems);
      }
    }
  }
  if (failback->restore_to_original) {
    for (std::string_view key : {"name", "flavor", "ip"}) {
      if (r.Node(key)) {
        r.Report(key, "launches a new production host, which only restore_to_original = false does: remove it, or "
                      "set restore_to_original = false");
      }
    }
  } else if (failback->name.empty() && !r.Node("name")) {
    r.Report("name", "restore_to_original = false fails back to a new production host: give it a name "
                     "(name = \"web1-new\"), its host id from then on");
  }
}

}  // namespace

FailbackSpec ParseFailback(const toml::table& table, const std::string& file, std::string path,
                           std::vector<Diagnostic>* out) {
  TableReader r(table, file, std::move(path), kFailbackKeys, out);
  FailbackSpec failback;
  failback.pos = r.pos();
  if (std::optional<bool> restore = r.Bool("restore_to_original")) failback.restore_to_original = *restore;
  if (std::optional<bool> cutover = r.Bool("cutover")) failback.cutover = *cutover;
  ParseNewHost(r, &failback);
  r.ReportUnknownKeys();
  return failback;
}

}  // namespace cdr::specs::internal
