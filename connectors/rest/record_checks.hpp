#pragma once
// What makes a single record unstorable, decided before it reaches PostgreSQL, so one bad record
// is quarantined instead of failing its page's transaction.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::connectors {

// Why jsonb would refuse this JSON text: a \u0000 escape (jsonb stores text, which cannot hold
// NUL), a UTF-16 surrogate escape without its pair, or a raw control character inside a string
// (which JSON forbids, and a lenient reader lets through). "" if none.
std::string jsonb_refusal(std::string_view json);

// Offsets of the bytes of `text` that are not part of well-formed UTF-8 (overlongs,
// surrogates and code points past U+10FFFF included).
std::vector<size_t> invalid_utf8_offsets(std::string_view text);

}  // namespace tributary::connectors
