// The name table of an enum, and the lookups every such table needs: an enum's name as it is stored and sent
// (state rows, plan and status JSON, provider calls), and the enum a name stands for where a name comes in.
// A name the table does not hold parses to nullopt, never to a default: the caller says what an unknown name
// means (a refusal naming it, or `unknown`).
//
//   constexpr EnumName<Color> kColors[] = {{Color::kRed, "red"}, {Color::kGreen, "green"}};
//   NameOf(kColors, Color::kRed)        → "red"
//   ParseName(kColors, "green")         → Color::kGreen
//   ParseName(kColors, "blue")          → nullopt
//
// A table whose rows carry more than the name (the properties of each value, like
// reconcile/server_state.cc's) works the same: any row type with `value` and `name` members, looked up with
// RowOf / RowNamed.
#pragma once

#include <iterator>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

namespace cdr {

template <typename E>
struct EnumName {
  E value;
  const char* name;
};

template <typename Table>
using RowType = std::remove_cvref_t<decltype(*std::begin(std::declval<const Table&>()))>;

template <typename Table, typename E>
constexpr const RowType<Table>* RowOf(const Table& table, E value) {
  for (const auto& row : table) {
    if (row.value == value) return &row;
  }
  return nullptr;
}

template <typename Table>
constexpr const RowType<Table>* RowNamed(const Table& table, std::string_view name) {
  for (const auto& row : table) {
    if (name == row.name) return &row;
  }
  return nullptr;
}

// `fallback` only for a value missing from the table, which each table's test rules out.
template <typename Table, typename E>
constexpr const char* NameOf(const Table& table, E value, const char* fallback = "unknown") {
  const auto* row = RowOf(table, value);
  return row ? row->name : fallback;
}

template <typename Table>
constexpr std::optional<decltype(RowType<Table>::value)> ParseName(const Table& table,
                                                                   std::string_view name) {
  const auto* row = RowNamed(table, name);
  if (row == nullptr) return std::nullopt;
  return row->value;
}

}  // namespace cdr
