#include "specs/internal/parse_dr_host.h"

#include <cctype>
#include <sstream>

#include "common/name_rules.h"
#include "common/rfc3339.h"
#include "specs/internal/ipv4_rules.h"
#include "specs/internal/recovery_point_choice.h"
#include "specs/internal/suggest.h"
#include "specs/internal/toml_reader.h"

namespace cdr::specs::internal {
namespace {

// Each list also holds the key that belongs only to the other table, so writing it gets a message that says
// where it belongs instead of a bare "unknown key".
constexpr std::array<std::string_view, 8> kDrillKeys = {"name",           "flavor", "ip",     "disk_type",
                                                        "recovery_point", "eip",    "verify", "confirm"};
constexpr std::array<std::string_view, 8> kFailoverKeys = {"name",           "flavor", "ip",      "disk_type",
                                                           "recovery_point", "eip",    "confirm", "verify"};
constexpr std::array<std::string_view, 3> kVerifyWords = {"checksum", "fsck", "command:"};
constexpr std::string_view kCommandPrefix = "command:";

std::string Trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

std::string FromTomlDateTime(const toml::date_time& dt, RecoveryPointChoice* choice) {
  std::ostringstream text;
  text << dt;
  choice->text = text.str();
  if (!dt.offset) {
    return "time `" + choice->text + "` has no time zone: add `Z` for UTC or an offset such as `+08:00`";
  }
  const CivilTime civil{dt.date.year,
                        dt.date.month,
                        dt.date.day,
                        dt.time.hour,
                        dt.time.minute,
                        dt.time.second,
                        static_cast<int>(dt.time.nanosecond),
                        dt.offset->minutes};
  std::string problem;
  if (!CivilTimeToUnixNanos(civil, &choice->time_ns, &problem))
    return "time `" + choice->text + "` " + problem;
  choice->kind = RecoveryPointChoice::Kind::kTime;
  return "";
}

// "" when `text` is a usable address (or `dhcp` where that is allowed), otherwise the message.
std::string AddressProblems(const std::string& text, bool dhcp_allowed) {
  if (dhcp_allowed && text == "dhcp") return "";
  const std::string problems = Ipv4AddressProblems(text);
  if (problems.empty()) return "";
  std::string message =
      std::string(dhcp_allowed ? "must be `dhcp` or an IPv4 host address" : "must be an IPv4 host address") +
      ": `" + text + "` " + problems;
  constexpr std::array<std::string_view, 1> kDhcp = {"dhcp"};
  if (dhcp_allowed && Suggest(text, kDhcp)) message += " (did you mean `dhcp`?)";
  return message;
}

DrHostSpec ParseDrHost(TableReader& r, bool* name_ok) {
  DrHostSpec h;
  h.pos = r.pos();
  h.name_pos = r.ValuePos("name");
  *name_ok = false;
  if (std::optional<std::string> name = r.String("name", /*required=*/true)) {
    h.name = *name;
    if (std::string problems = DrHostNameProblems(*name); !problems.empty()) {
      r.Report("name", "invalid DR host name `" + *name + "`: " + problems);
    } else {
      *name_ok = true;
    }
  }
  if (std::optional<std::string> flavor = r.String("flavor", /*required=*/false)) h.flavor = *flavor;
  if (std::optional<std::string> ip = r.String("ip", /*required=*/false)) {
    if (std::string problem = AddressProblems(*ip, /*dhcp_allowed=*/true); problem.empty()) {
      h.ip = *ip;
    } else {
      r.Report("ip", problem);
    }
  }
  if (std::optional<std::string> disk = r.OneOf("disk_type", kDiskTypes)) h.disk_type = *disk;
  h.recovery_point = ParseRecoveryPoint(r);
  if (std::optional<std::string> eip = r.String("eip", /*required=*/false)) {
    if (std::string problem = AddressProblems(*eip, /*dhcp_allowed=*/false); problem.empty()) {
      h.eip = *eip;
    } else {
      r.Report("eip", problem);
    }
  }
  return h;
}

DrillVerify ParseVerify(TableReader& r) {
  DrillVerify verify;
  verify.pos = r.Node("verify") ? r.ValuePos("verify") : SourcePos{r.file(), 0, 0};
  std::optional<std::string> text = r.String("verify", /*required=*/false);
  if (!text) return verify;
  if (*text == "checksum") {
    verify.kind = DrillVerify::Kind::kChecksum;
  } else if (*text == "fsck") {
    verify.kind = DrillVerify::Kind::kFsck;
  } else if (text->starts_with(kCommandPrefix)) {
    verify.command = Trim(std::string_view(*text).substr(kCommandPrefix.size()));
    if (verify.command.empty()) {
      r.Report("verify",
               "`command:` needs a shell command after the colon, e.g. `command:test -s \"$CDR_DISK\"`");
    } else {
      verify.kind = DrillVerify::Kind::kCommand;
    }
  } else {
    std::string message =
        "unknown value `" + *text + "`: must be `checksum`, `fsck` or `command:<shell command>`";
    if (std::optional<std::string> hint = Suggest(*text, kVerifyWords))
      message += " (did you mean `" + *hint + "`?)";
    r.Report("verify", message);
  }
  return verify;
}

}  // namespace

RecoveryPointChoice ParseRecoveryPoint(TableReader& r) {
  RecoveryPointChoice choice;
  choice.pos = r.ValuePos("recovery_point");
  const toml::node* node = r.Node("recovery_point");
  if (!node) return choice;
  RecoveryPointChoice parsed;
  parsed.pos = choice.pos;
  std::string problem;
  if (const toml::value<std::string>* text = node->as_string()) {
    problem = text->get().empty() ? "must not be empty" : ParseRecoveryPointText(text->get(), &parsed);
  } else if (const toml::value<toml::date_time>* dt = node->as_date_time()) {
    problem = FromTomlDateTime(dt->get(), &parsed);
  } else if (node->is_date() || node->is_time()) {
    problem = "found " + DescribeType(node->type()) +
              ", not a point in time: write a date, a time of day and a zone, e.g. 2026-11-25T10:00:00Z";
  } else {
    problem = "expected a string or a date-time, found " + DescribeType(node->type());
  }
  if (!problem.empty()) {
    r.Report("recovery_point", problem);
    return choice;
  }
  return parsed;
}

DrillSpec ParseDrill(const toml::table& table, const std::string& file, std::string path, bool* name_ok,
                     std::vector<Diagnostic>* out) {
  TableReader r(table, file, std::move(path), kDrillKeys, out);
  DrillSpec drill;
  drill.host = ParseDrHost(r, name_ok);
  drill.verify = ParseVerify(r);
  if (table.contains("confirm")) {
    r.Report("confirm",
             "belongs to [group.server.failover] only: a drill ends by removing [group.server.drill]");
  }
  r.ReportUnknownKeys();
  return drill;
}

FailoverSpec ParseFailover(const toml::table& table, const std::string& file, std::string path, bool* name_ok,
                           std::vector<Diagnostic>* out) {
  TableReader r(table, file, std::move(path), kFailoverKeys, out);
  FailoverSpec failover;
  failover.host = ParseDrHost(r, name_ok);
  if (std::optional<bool> confirm = r.Bool("confirm")) failover.confirm = *confirm;
  if (table.contains("verify")) {
    r.Report("verify",
             "belongs to [group.server.drill] only: check the failed-over host yourself, then set "
             "confirm = true");
  }
  r.ReportUnknownKeys();
  return failover;
}

}  // namespace cdr::specs::internal
