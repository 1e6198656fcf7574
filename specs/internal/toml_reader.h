// Typed access to the fields of one TOML table that reports every problem as a Diagnostic instead of
// stopping: the loader reads all fields it knows, keeps going past bad ones, and finally reports the keys it
// did not know.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "specs/spec.h"

namespace cdr::specs::internal {

SourcePos PosAt(const std::string& file, const toml::source_region& region);

// The TOML type as a user would call it, with its article: "a string", "an integer", "a date-time".
std::string DescribeType(toml::node_type type);

// "file:line:column", for messages that point at a second place (the first declaration, the other key).
std::string Where(const SourcePos& pos);

// "a.b", or just "b" at the top level.
std::string JoinPath(std::string_view path, std::string_view key);

class TableReader {
 public:
  // `path` names the table in diagnostics; `known_keys` are the keys this level accepts (for unknown-key
  // checks and "did you mean" hints). `out` must outlive the reader.
  TableReader(const toml::table& table, const std::string& file, std::string path,
              std::span<const std::string_view> known_keys, std::vector<Diagnostic>* out);

  // The path changes once the table's name has been read and found valid.
  void set_path(std::string path) { path_ = std::move(path); }
  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }

  // Position of the table itself (its header, or the `{` of an inline table).
  SourcePos pos() const;
  // Position of `key`'s value, or of the table when the key is absent (where a missing key would go).
  SourcePos ValuePos(std::string_view key) const;

  // Each accessor returns nullopt when the key is absent or its value is unusable; every problem is reported.
  // Strings must not be empty.
  std::optional<std::string> String(std::string_view key, bool required);
  std::optional<std::string> OneOf(std::string_view key, std::span<const std::string_view> allowed);
  std::optional<int> Int(std::string_view key, int min, int max);
  std::optional<bool> Bool(std::string_view key);
  // The raw value, for keys that accept more than one type. Null when absent.
  const toml::node* Node(std::string_view key) const { return table_.get(key); }
  const toml::table* Table(std::string_view key);
  // An array of tables written as [[`header`]]; elements that are not tables are reported and skipped, so the
  // result holds only tables, each with its index in the array.
  std::vector<std::pair<size_t, const toml::table*>> ArrayOfTables(std::string_view key,
                                                                   std::string_view header);

  void ReportUnknownKeys() const;
  // A problem with `key`'s value (or with the table when the key is absent).
  void Report(std::string_view key, std::string message) const;

 private:
  // The node under `key` when it has `type`; reports a type mismatch otherwise. Null when absent.
  const toml::node* Typed(std::string_view key, toml::node_type type);

  const toml::table& table_;
  const std::string& file_;
  std::string path_;
  std::span<const std::string_view> known_keys_;
  std::vector<Diagnostic>* out_;
};

}  // namespace cdr::specs::internal
