#pragma once
// Small text operations every part needs, written once.
#include <cstddef>
#include <string>
#include <string_view>

namespace tributary {

std::string to_lower(std::string text);

// Every occurrence of `from` replaced by `to`.
std::string replace_all(std::string text, std::string_view from, std::string_view to);

// One line for a message: line breaks and tabs become spaces, trailing space goes, and text
// longer than `max` is cut with "...". For text that comes from outside (bodies, server errors).
std::string one_line(std::string text, std::size_t max = 300);

// The position of the first byte below 0x20 or backslash at or after `from`, npos when none:
// the only bytes JSON text may need escaping or checking for (COPY's text format escapes
// backslash, tab, newline and carriage return; jsonb refuses other control bytes). Compact
// JSON rarely holds one, and this looks at 8 bytes at a time.
std::size_t find_control_or_backslash(std::string_view text, std::size_t from = 0);

}  // namespace tributary
