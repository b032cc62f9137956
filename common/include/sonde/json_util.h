// Small JSON writing helpers for hand-built responses and log fields.
// Thread-safety: pure functions.
#ifndef SONDE_JSON_UTIL_H_
#define SONDE_JSON_UTIL_H_

#include <string>
#include <string_view>

namespace sonde {

// Appends `s` as a quoted JSON string to *out: escapes '"', '\\', and
// control characters (\n, \t, ... and \u00XX); bytes >= 0x80 are copied as
// they are (UTF-8 passes through; invalid UTF-8 is replaced by U+FFFD so
// the output is always valid JSON).
void AppendJsonString(std::string* out, std::string_view s);

// Returns `s` as a quoted JSON string.
std::string JsonString(std::string_view s);

// {"error":"<message>"}
std::string JsonError(std::string_view message);

}  // namespace sonde

#endif  // SONDE_JSON_UTIL_H_
