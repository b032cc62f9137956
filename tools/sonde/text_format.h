// How `sonde` spells numbers, times, ages and tags: short forms for tables,
// exact forms for CSV. docs/query.md shows examples of each.
//
// Thread-safety: pure functions.
#ifndef SONDE_TOOLS_SONDE_TEXT_FORMAT_H_
#define SONDE_TOOLS_SONDE_TEXT_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sonde/sample.h"

namespace sonde::tools {

// A number for a table cell, at most about 6 characters of precision:
//   NaN -> "-"; integers below 1e6 as they are ("1500", "-3");
//   |v| >= 1e6 with an SI suffix and 3 significant digits ("1.23M", "45G");
//   |v| >= 100 -> 1 decimal, >= 1 -> 2 decimals, else 3 significant digits,
//   trailing zeros dropped ("812.5", "3.14", "0.00123").
std::string FormatNumber(double v);

// A number for CSV: the shortest form that reads back as the same double
// ("0.1", "1500", "1e+21"); NaN -> "" (an empty field).
std::string FormatExact(double v);

// "2024-05-01T12:00:00Z", or "2024-05-01T12:00:00.250Z" when the time has
// milliseconds. UTC.
std::string FormatIsoTime(int64_t ms);

// "2024-05-01 12:00" (UTC), for window starts in tables.
std::string FormatMinute(int64_t ms);

// An age in one or two units, rounded down: "0s", "42s", "3m12s", "2h5m",
// "3d4h". Negative ages (a clock ahead of ours) keep their sign: "-5s".
std::string FormatAge(int64_t age_ms);

// now_ms - then_ms, saturated at the int64 limits (times may come from a
// remote answer).
int64_t AgeMs(int64_t now_ms, int64_t then_ms);

// "k1=v1,k2=v2" in the order given; "" for no tags.
std::string FormatTags(const Tags& tags);

// Parses a point in time: epoch seconds ("1714564800"), or ISO-8601 UTC
// ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00.250Z", "2024-05-01 12:00:00").
// Returns ms since the epoch, or nullopt.
std::optional<int64_t> ParseTime(std::string_view text);

// Parses a whole finite decimal number ("12", "-0.5", "1e3"); nullopt otherwise.
std::optional<double> ParseNumber(std::string_view text);

}  // namespace sonde::tools

#endif  // SONDE_TOOLS_SONDE_TEXT_FORMAT_H_
