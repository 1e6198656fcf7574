// How many terminal columns a UTF-8 string takes: East Asian wide and fullwidth characters (the Chinese state
// names, 客户端安装失败) take two, combining marks none, everything else one. Tables size their columns with it
// so a row with Chinese text does not push the columns after it out of line. fmt pads with the same rule.
#pragma once

#include <string>
#include <string_view>

namespace cdr {

size_t DisplayWidth(std::string_view utf8);

// `text` followed by spaces up to `columns` display columns (nothing added when it is already that wide).
std::string PadToWidth(std::string_view text, size_t columns);

}  // namespace cdr
