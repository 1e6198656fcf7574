// The examples each command's --help ends with: what an operator or a CI job types most often.
#pragma once

#include <string_view>

namespace cdr::cmd {

// Lines of examples for `command` ("plan", "local init", …), each "  $ cdr …  # what it does"; empty if none.
std::string_view ExamplesFor(std::string_view command);

}  // namespace cdr::cmd
