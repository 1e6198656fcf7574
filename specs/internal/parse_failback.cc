#include "specs/internal/parse_failback.h"

#include <array>
#include <string_view>

#include "specs/internal/toml_reader.h"

namespace cdr::specs::internal {
namespace {

constexpr std::array<std::string_view, 2> kFailbackKeys = {"restore_to_original", "cutover"};

}  // namespace

FailbackSpec ParseFailback(const toml::table& table, const std::string& file, std::string path,
                           std::vector<Diagnostic>* out) {
  TableReader r(table, file, std::move(path), kFailbackKeys, out);
  FailbackSpec failback;
  failback.pos = r.pos();
  if (std::optional<bool> restore = r.Bool("restore_to_original")) failback.restore_to_original = *restore;
  if (std::optional<bool> cutover = r.Bool("cutover")) failback.cutover = *cutover;
  r.ReportUnknownKeys();
  return failback;
}

}  // namespace cdr::specs::internal
