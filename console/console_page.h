// The console's one web page, served from the binary: HTML, CSS and a little JavaScript without a framework.
// It reads the JSON APIs of console_server.h and draws the group overview (servers by health), each server's
// state and RPO with an inline-SVG chart of its samples, a server's recovery point timeline and the task list.
#pragma once

#include <string_view>

namespace cdr::console {

std::string_view ConsolePageHtml();

}  // namespace cdr::console
