// One file's content after per-file validation, with what the cross-file checks need besides the Spec values:
// the diagnostic path of every group and server and whether its name passed the rules (a bad name is reported
// once, by its own rule, and then kept out of the duplicate checks).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "specs/spec.h"

namespace cdr::specs::internal {

inline constexpr int kMaxAgents = 200;  // per tenant per region (docs/spec.md, quota.agents)

struct ParsedServer {
  ServerSpec spec;
  std::string path;  // "group.web-prod.server.web-1", or "group.web-prod.server[2]" when the name is unusable
  bool name_ok = false;
  bool drill_name_ok = false;     // [group.server.drill] is present and its DR host name passed the rules
  bool failover_name_ok = false;  // the same for [group.server.failover]
};

struct ParsedGroup {
  GroupSpec spec;  // servers live in `servers` until the documents are merged
  std::vector<ParsedServer> servers;
  std::string path;  // "group.web-prod", or "group[0]" when the name is unusable
  bool name_ok = false;
};

struct ParsedDocument {
  std::string file;
  std::optional<ProviderSpec> provider;  // set when this file declares [provider]
  std::optional<QuotaSpec> quota;        // set when this file declares [quota]
  std::optional<SourcePos> agents_pos;   // where `agents` is written, when it is
  bool agents_ok = true;                 // false when `agents` is written but unusable
  std::vector<ParsedGroup> groups;
};

}  // namespace cdr::specs::internal
