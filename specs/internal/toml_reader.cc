#include "specs/internal/toml_reader.h"

#include <algorithm>

#include "specs/internal/suggest.h"

namespace cdr::specs::internal {
namespace {

std::string Quoted(std::span<const std::string_view> words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += "`" + std::string(words[i]) + "`";
  }
  return out;
}

}  // namespace

std::string DescribeType(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

SourcePos PosAt(const std::string& file, const toml::source_region& region) {
  return {file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

std::string Where(const SourcePos& pos) {
  return pos.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

std::string JoinPath(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return std::string(path) + "." + std::string(key);
}

TableReader::TableReader(const toml::table& table, const std::string& file, std::string path,
                         std::span<const std::string_view> known_keys, std::vector<Diagnostic>* out)
    : table_(table), file_(file), path_(std::move(path)), known_keys_(known_keys), out_(out) {}

SourcePos TableReader::pos() const { return PosAt(file_, table_.source()); }

SourcePos TableReader::ValuePos(std::string_view key) const {
  const toml::node* node = table_.get(key);
  return node ? PosAt(file_, node->source()) : pos();
}

void TableReader::Report(std::string_view key, std::string message) const {
  out_->push_back({ValuePos(key), JoinPath(path_, key), std::move(message)});
}

const toml::node* TableReader::Typed(std::string_view key, toml::node_type type) {
  const toml::node* node = table_.get(key);
  if (!node) return nullptr;
  if (node->type() != type) {
    Report(key, "expected " + DescribeType(type) + ", found " + DescribeType(node->type()));
    return nullptr;
  }
  return node;
}

std::optional<std::string> TableReader::String(std::string_view key, bool required) {
  if (required && !table_.contains(key)) {
    Report(key, "missing required key `" + std::string(key) + "`");
    return std::nullopt;
  }
  const toml::node* node = Typed(key, toml::node_type::string);
  if (!node) return std::nullopt;
  std::string value = node->as_string()->get();
  if (value.empty()) {
    Report(key, "must not be empty");
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> TableReader::OneOf(std::string_view key,
                                              std::span<const std::string_view> allowed) {
  std::optional<std::string> value = String(key, /*required=*/false);
  if (!value) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
    std::string message = "unknown value `" + *value + "`: must be " + Quoted(allowed);
    if (std::optional<std::string> hint = Suggest(*value, allowed))
      message += " (did you mean `" + *hint + "`?)";
    Report(key, std::move(message));
    return std::nullopt;
  }
  return value;
}

std::optional<int> TableReader::Int(std::string_view key, int min, int max) {
  const toml::node* node = Typed(key, toml::node_type::integer);
  if (!node) return std::nullopt;
  const int64_t value = node->as_integer()->get();
  if (value < min || value > max) {
    Report(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + " (found " +
                    std::to_string(value) + ")");
    return std::nullopt;
  }
  return static_cast<int>(value);
}

std::optional<bool> TableReader::Bool(std::string_view key) {
  const toml::node* node = Typed(key, toml::node_type::boolean);
  if (!node) return std::nullopt;
  return node->as_boolean()->get();
}

const toml::table* TableReader::Table(std::string_view key) {
  const toml::node* node = Typed(key, toml::node_type::table);
  return node ? node->as_table() : nullptr;
}

std::vector<std::pair<size_t, const toml::table*>> TableReader::ArrayOfTables(std::string_view key,
                                                                              std::string_view header) {
  std::vector<std::pair<size_t, const toml::table*>> tables;
  const toml::node* node = table_.get(key);
  if (!node) return tables;
  const toml::array* array = node->as_array();
  if (!array) {
    // Most often [group] written for [[group]]: say exactly what to write.
    Report(key, "expected an array of tables (write [[" + std::string(header) + "]]), found " +
                    DescribeType(node->type()));
    return tables;
  }
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    if (const toml::table* table = element.as_table()) {
      tables.emplace_back(i, table);
    } else {
      out_->push_back({PosAt(file_, element.source()), JoinPath(path_, key) + "[" + std::to_string(i) + "]",
                       "expected a table, found " + DescribeType(element.type())});
    }
  }
  return tables;
}

void TableReader::ReportUnknownKeys() const {
  for (auto&& [key, value] : table_) {
    const std::string_view name = key.str();
    if (std::find(known_keys_.begin(), known_keys_.end(), name) != known_keys_.end()) continue;
    std::string message = "unknown key `" + std::string(name) + "`";
    if (std::optional<std::string> hint = Suggest(name, known_keys_))
      message += ", did you mean `" + *hint + "`?";
    out_->push_back({PosAt(file_, key.source()), JoinPath(path_, name), std::move(message)});
  }
}

}  // namespace cdr::specs::internal
