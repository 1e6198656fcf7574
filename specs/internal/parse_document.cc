#include "specs/internal/parse_document.h"

#include <array>
#include <string_view>

#include "specs/internal/parse_group.h"
#include "specs/internal/toml_reader.h"

namespace cdr::specs::internal {
namespace {

constexpr std::array<std::string_view, 3> kRootKeys = {"provider", "quota", "group"};
constexpr std::array<std::string_view, 6> kProviderKeys = {"type", "root", "insecure", "url", "token_file", "tls_dir"};
constexpr std::array<std::string_view, 1> kQuotaKeys = {"agents"};

ProviderSpec ParseProvider(const toml::table& table, const std::string& file, std::vector<Diagnostic>* out) {
  ProviderSpec provider;
  TableReader r(table, file, "provider", kProviderKeys, out);
  provider.pos = r.pos();
  if (std::optional<std::string> type = r.String("type", /*required=*/false)) {
    if (std::optional<ProviderType> parsed = ParseProviderType(*type)) {
      provider.type = *parsed;
    } else {
      r.Report("type", "unsupported provider type `" + *type +
                           "`: use `local` (embedded) or `http` (a provider program, with url and token_file)");
    }
  }
  if (std::optional<std::string> root = r.String("root", /*required=*/false)) provider.root = *root;
  const bool http = provider.type == ProviderType::kHttp;
  if (std::optional<std::string> url = r.String("url", /*required=*/http)) provider.url = *url;
  if (std::optional<std::string> token_file = r.String("token_file", /*required=*/http))
    provider.token_file = *token_file;
  if (std::optional<std::string> tls_dir = r.String("tls_dir", /*required=*/false)) provider.tls_dir = *tls_dir;
  if (std::optional<bool> insecure = r.Bool("insecure")) {
    provider.insecure = *insecure;
    provider.insecure_pos = r.ValuePos("insecure");
  }
  r.ReportUnknownKeys();
  return provider;
}

void ParseQuota(const toml::table& table, ParsedDocument& doc, std::vector<Diagnostic>* out) {
  QuotaSpec quota;
  TableReader r(table, doc.file, "quota", kQuotaKeys, out);
  quota.pos = r.pos();
  if (table.contains("agents")) {
    doc.agents_pos = r.ValuePos("agents");
    std::optional<int> agents = r.Int("agents", 1, kMaxAgents);
    doc.agents_ok = agents.has_value();
    if (agents) quota.agents = *agents;
  }
  r.ReportUnknownKeys();
  doc.quota = quota;
}

}  // namespace

ParsedDocument ParseDocument(const SpecDocument& document, std::vector<Diagnostic>* out) {
  ParsedDocument doc;
  doc.file = document.file;
  toml::table root;
  try {
    root = toml::parse(document.text, std::string_view(document.file));
  } catch (const toml::parse_error& e) {
    out->push_back({PosAt(doc.file, e.source()), "", "TOML syntax error: " + std::string(e.description())});
    return doc;
  }
  TableReader r(root, doc.file, "", kRootKeys, out);
  if (const toml::table* provider = r.Table("provider"))
    doc.provider = ParseProvider(*provider, doc.file, out);
  if (const toml::table* quota = r.Table("quota")) ParseQuota(*quota, doc, out);
  for (const auto& [i, group] : r.ArrayOfTables("group", "group")) {
    doc.groups.push_back(ParseGroup(*group, doc.file, i, out));
  }
  r.ReportUnknownKeys();
  return doc;
}

}  // namespace cdr::specs::internal
