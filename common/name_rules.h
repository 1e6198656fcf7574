// Naming rules shared by everything that turns a name into a resource or a file: the spec (groups, servers,
// DR hosts, zones, VPCs, hosts), cdr-shadow (server ids and disk names in a HELLO become directory and file
// names), the agent (export names) and the DR disk reader. One home, so a name the spec accepts is one the
// shadow accepts, and a name neither accepts never reaches a path.
//
// None of the rules allows '.', '/' or control characters: a name is always one path component, and
// "<disk>.img" of one disk can never be "<other>.base.img" of another.
#pragma once

#include <string>
#include <string_view>

namespace cdr {

// Each returns "" when `name` is valid, otherwise every broken rule, e.g.
// "must be 2–63 characters long (it has 1); must start with a letter".
std::string GroupNameProblems(std::string_view name);   // 2–63 chars, [A-Za-z][A-Za-z0-9_-]*
std::string ServerNameProblems(std::string_view name);  // 2–15 chars, [A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]
std::string DrHostNameProblems(std::string_view name);  // the same rule as servers
// Zones, VPCs, hosts (a host is the server id on the shadow) and disk names: 1–63 chars,
// [A-Za-z0-9][A-Za-z0-9_-]*.
std::string IdentifierProblems(std::string_view name);

}  // namespace cdr
